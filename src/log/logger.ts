import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Object keys whose values are never written to a log line, wherever they sit (two levels deep). */
export const REDACT_PATHS = [
  'token', 'apiKey', 'api_key', 'apikey', 'password', 'secret', 'authorization', 'webhookUrl', 'uri',
  'DISCORD_TOKEN', 'DISCORD_WEBHOOK_URL', 'POLYGON_API_KEY', 'ALPACA_KEY_ID', 'ALPACA_SECRET_KEY',
  'ALPHAVANTAGE_API_KEY', 'MONGODB_URI',
].flatMap((k) => [k, `*.${k}`, `*.*.${k}`])
  .concat(['headers.authorization', '*.headers.authorization', '*.headers["apca-api-key-id"]', '*.headers["apca-api-secret-key"]',
    'config.headers', '*.config.headers', 'config.params.apiKey', '*.config.params.apiKey', 'config.params.apikey', '*.config.params.apikey']);

const secrets = new Set<string>();

/** Remember secret values (tokens, keys) so they are masked even inside free text. */
export function registerSecrets(values: Array<string | undefined>): void {
  for (const v of values) if (v && v.length >= 6) secrets.add(v);
}

/**
 * Credentials that text may carry even when we never registered them (a provider's error body that
 * echoes the request): query parameters, auth headers, Discord webhook tokens, URL userinfo.
 */
const CREDENTIAL_PATTERNS: Array<[RegExp, string]> = [
  [/(\b[a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+):([^/@\s]+)@/gi, '$1$2:***@'],
  [/\b((?:api[_-]?key|apikey|access[_-]?token|token|secret|password|key)=)[^&\s"'<>]+/gi, '$1[REDACTED]'],
  [/\b(authorization["']?\s*[:=]\s*["']?)(?:(?:bearer|bot|basic)\s+)?[^\s"',}]+/gi, '$1[REDACTED]'],
  [/\b(apca-api-(?:key-id|secret-key)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1[REDACTED]'],
  [/(\/webhooks\/\d+\/)[\w-]+/g, '$1[REDACTED]'],
];

/** Replace every registered secret, and credential-shaped values, with a mask. */
export function scrub(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[REDACTED]');
  for (const [re, to] of CREDENTIAL_PATTERNS) out = out.replace(re, to);
  return out;
}

export interface LoggerSettings {
  level: string;
  pretty: boolean;
  /** json (default): one JSON object a line; line: `warn: message (key=value …)` for a person at a terminal. */
  format?: 'json' | 'line';
  name?: string;
  /** 1 = stdout, 2 = stderr (the CLI keeps stdout for its output). */
  fd?: 1 | 2;
}

export function createLogger(settings: LoggerSettings, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    name: settings.name ?? 'signaldesk',
    level: settings.level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    hooks: {
      logMethod(args, method) {
        const cleaned = args.map((a) => (typeof a === 'string' ? scrub(a) : a));
        method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
    serializers: {
      err: (err: unknown) => {
        if (!(err instanceof Error)) return typeof err === 'string' ? scrub(err) : err;
        const base = pino.stdSerializers.err(err);
        return { ...base, message: scrub(String(base.message)), stack: base.stack ? scrub(base.stack) : undefined };
      },
    },
  };
  if (destination) return pino(options, destination);
  const fd = settings.fd ?? 1;
  if (settings.format === 'line') return pino(options, readableLines(fd));
  if (settings.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard', ignore: 'pid,hostname', destination: fd } } });
  }
  return pino(options, pino.destination({ fd, sync: true }));
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };
const PLUMBING = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

/** One readable line per record (already redacted and scrubbed by pino's options above). */
export function formatLine(record: Record<string, unknown>): string {
  const level = LEVEL_NAMES[Number(record.level)] ?? 'log';
  const extra = Object.entries(record)
    .filter(([k]) => !PLUMBING.has(k))
    .map(([k, v]) => `${k}=${k === 'err' && v && typeof v === 'object' && 'message' in v ? String((v as { message: unknown }).message) : typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${level}: ${String(record.msg ?? '')}${extra.length ? ` (${extra.join(', ')})` : ''}\n`;
}

function readableLines(fd: 1 | 2): pino.DestinationStream {
  const out = fd === 2 ? process.stderr : process.stdout;
  return {
    write(chunk: string) {
      try {
        out.write(formatLine(JSON.parse(chunk) as Record<string, unknown>));
      } catch {
        out.write(chunk);
      }
    },
  };
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
// Before the environment is checked, a bad LOG_LEVEL must not crash the process: the env check
// reports it with what is allowed.
let root: Logger = createLogger({ level: LEVELS.includes(process.env.LOG_LEVEL ?? '') ? process.env.LOG_LEVEL! : 'info', pretty: false });

export function setRootLogger(logger: Logger): void {
  root = logger;
}

/** The process-wide logger; modules take children of it with their own bindings. */
export function log(): Logger {
  return root;
}
