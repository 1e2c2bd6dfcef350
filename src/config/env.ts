import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { parseThresholds } from '../health/rules.js';

/** Variables whose values are secrets: never echoed in errors, logs or replies. */
export const SECRET_ENV_KEYS = [
  'DISCORD_TOKEN',
  'DISCORD_WEBHOOK_URL',
  'POLYGON_API_KEY',
  'ALPACA_KEY_ID',
  'ALPACA_SECRET_KEY',
  'ALPHAVANTAGE_API_KEY',
  'FINNHUB_API_KEY',
  'FRED_API_KEY',
  'QUIVER_API_KEY',
  'CONGRESS_API_KEY',
  'MONGODB_URI',
  'ADMIN_TOKEN',
] as const;

const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17 to 20 digits)');
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const idList = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(snowflake));
const optionalSnowflake = optionalText.pipe(snowflake.optional());
const symbolList = z
  .string()
  .optional()
  .transform((v) => (v ?? 'SPX,SPY,QQQ,DIA').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean))
  .pipe(
    z
      .array(z.string().regex(/^[A-Z][A-Z0-9.\-]{0,9}$/, 'each symbol must be 1-10 letters, digits, "." or "-"'))
      .min(1, 'must list at least one symbol'),
  );

function httpUrl(fallback: string) {
  return optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()).transform((v) => (v ?? fallback).replace(/\/+$/, ''));
}
/** A whole number in [min, max], with messages that say which bound was crossed. */
function wholeIn(min: number, max: number, fallback: number) {
  // Decimal digits only: Number() would read "0x10" as 16, "1e3" as 1000 and "" as 0.
  return z
    .preprocess(
      (v) => (v === undefined ? fallback : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
      z.number({ error: 'must be a decimal number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
    );
}
function perMinute(fallback: number) {
  return z.coerce.number({ error: 'must be a number' }).positive('must be more than 0').max(100_000).default(fallback);
}
/** Requests a day; unset or "none" means no daily limit. */
function perDay(fallback?: string) {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim()))
    .transform((v) => (v === undefined || v.toLowerCase() === 'none' ? null : Number(v)))
    .pipe(z.number({ error: 'must be a whole number or "none"' }).int('must be a whole number or "none"').min(1, 'must be at least 1').nullable());
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const PROVIDERS = ['demo', 'polygon', 'alpaca', 'alphavantage'] as const;
/** The information layer's providers, per kind (src/info). */
export const CONGRESS_PROVIDERS = ['demo', 'official', 'quiver'] as const;
export const NEWS_PROVIDERS = ['demo', 'polygon', 'alpaca', 'alphavantage'] as const;
export const EARNINGS_PROVIDERS = ['demo', 'finnhub', 'alphavantage'] as const;
/** fred: FRED's release dates plus the Fed's FOMC calendar; fed: the Fed's calendar alone (keyless). */
export const ECONOMIC_PROVIDERS = ['demo', 'fred', 'fed'] as const;

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: optionalText.pipe(z.enum(['json', 'line'], { error: 'must be json or line' }).optional()),
    MONGODB_URI: optionalText.pipe(
      z
        .string()
        .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
        .optional(),
    ),
    LOCAL_DB_DIR: z.string().min(1).default('.data'),
    DISCORD_TOKEN: optionalText,
    DISCORD_APP_ID: optionalSnowflake,
    DISCORD_GUILD_ID: optionalSnowflake,
    DISCORD_ADMIN_ROLE_IDS: idList,
    DISCORD_API_URL: optionalText.pipe(z.url('must be an http(s) URL').optional()),
    DISCORD_WEBHOOK_URL: optionalText.pipe(
      z
        .string()
        .regex(/^https?:\/\/\S+\/webhooks\/\d+\/\S+$/, 'must be a Discord webhook URL (…/webhooks/<id>/<token>)')
        .optional(),
    ),
    DISCORD_CHANNEL_SIGNALS: optionalSnowflake,
    DISCORD_CHANNEL_TRADES: optionalSnowflake,
    DISCORD_CHANNEL_SCANS: optionalSnowflake,
    DISCORD_CHANNEL_DIGESTS: optionalSnowflake,
    DISCORD_CHANNEL_TUNING: optionalSnowflake,
    DISCORD_CHANNEL_OPS: optionalSnowflake,
    DISCORD_CHANNEL_CONGRESS: optionalSnowflake,
    DISCORD_CHANNEL_IDEAS: optionalSnowflake,
    MARKET_DATA_PROVIDER: z.enum(PROVIDERS).default('demo'),
    MARKET_DATA_SECONDARY: optionalText.pipe(z.enum(PROVIDERS).optional()),
    MARKET_UNIVERSE: symbolList,
    BENCHMARK_SYMBOL: optionalText.pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9.\-]{0,9}$/, 'must be one ticker such as SPY or SPX').optional()).transform((v) => v?.toUpperCase()),
    POLYGON_API_KEY: optionalText,
    ALPACA_KEY_ID: optionalText,
    ALPACA_SECRET_KEY: optionalText,
    ALPHAVANTAGE_API_KEY: optionalText,
    POLYGON_BASE_URL: httpUrl('https://api.polygon.io'),
    ALPACA_DATA_URL: httpUrl('https://data.alpaca.markets'),
    ALPHAVANTAGE_BASE_URL: httpUrl('https://www.alphavantage.co'),
    ALPACA_FEED: z.enum(['iex', 'sip']).default('sip'),
    ALPHAVANTAGE_PLAN: z.enum(['free', 'premium']).default('free'),
    POLYGON_INDICES: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    POLYGON_CALLS_PER_MIN: perMinute(5),
    ALPACA_CALLS_PER_MIN: perMinute(200),
    ALPHAVANTAGE_CALLS_PER_MIN: perMinute(60),
    POLYGON_CALLS_PER_DAY: perDay(),
    ALPACA_CALLS_PER_DAY: perDay(),
    ALPHAVANTAGE_CALLS_PER_DAY: perDay('25'),
    NEWS_PROVIDER: z.enum(NEWS_PROVIDERS).default('demo'),
    NEWS_SECONDARY: optionalText.pipe(z.enum(NEWS_PROVIDERS).optional()),
    EARNINGS_PROVIDER: z.enum(EARNINGS_PROVIDERS).default('demo'),
    EARNINGS_SECONDARY: optionalText.pipe(z.enum(EARNINGS_PROVIDERS).optional()),
    ECONOMIC_CALENDAR_PROVIDER: z.enum(ECONOMIC_PROVIDERS).default('demo'),
    FINNHUB_API_KEY: optionalText,
    FRED_API_KEY: optionalText,
    FINNHUB_BASE_URL: httpUrl('https://finnhub.io'),
    FRED_BASE_URL: httpUrl('https://api.stlouisfed.org'),
    FED_CALENDAR_URL: httpUrl('https://www.federalreserve.gov/json/calendar.json'),
    FINNHUB_CALLS_PER_MIN: perMinute(60),
    FRED_CALLS_PER_MIN: perMinute(120),
    ALPACA_TRADING_URL: httpUrl('https://paper-api.alpaca.markets'),
    ALPACA_LIVE: z.enum(['no', 'yes'], { error: 'must be no or yes' }).default('no'),
    ALPACA_TRADING_CALLS_PER_MIN: perMinute(200),
    BROKER_CASH_TOLERANCE: z.coerce.number({ error: 'must be a number of dollars' }).min(0).max(1e9).default(1),
    /** overnight-sync posts when crypto moved this much (percent) since the US close. */
    WORLD_MOVE_ALERT_PCT: z.coerce.number({ error: 'must be a percentage' }).min(0.5).max(100).default(5),
    CONGRESS_PROVIDER: z.enum(CONGRESS_PROVIDERS).default('demo'),
    HOUSE_DISCLOSURE_URL: httpUrl('https://disclosures-clerk.house.gov'),
    SENATE_EFD_URL: httpUrl('https://efdsearch.senate.gov'),
    CONGRESS_API_URL: httpUrl('https://api.congress.gov'),
    CONGRESS_API_KEY: optionalText,
    QUIVER_API_KEY: optionalText,
    QUIVER_BASE_URL: httpUrl('https://api.quiverquant.com'),
    /** How far back the first sync of a source reads (it alerts nobody). */
    CONGRESS_BACKFILL_DAYS: wholeIn(1, 400, 30),
    /** Requests a minute to each government site, across every process (they ask for a second or two apart). */
    CONGRESS_CALLS_PER_MIN: perMinute(30),
    CONGRESS_USER_AGENT: z.string().min(8).default('signaldesk/1.0 (congress disclosures bot; see README)'),
    PROVIDER_TIMEOUT_MS: wholeIn(100, 120_000, 10_000),
    PROVIDER_RETRIES: wholeIn(0, 10, 3),
    PROVIDER_BREAKER_FAILURES: wholeIn(1, 100, 5),
    PROVIDER_BREAKER_COOLDOWN_MS: wholeIn(0, 3_600_000, 60_000),
    SCHEDULE_TIMEZONE: z
      .string()
      .default('America/New_York')
      .refine(isTimeZone, 'must be an IANA time zone such as America/New_York'),
    WORKER_MAX_CONCURRENCY: wholeIn(1, 64, 4),
    WORKER_POLL_MS: wholeIn(100, 60_000, 30_000),
    HEAVY_THREADS: wholeIn(0, 16, 2),
    WORKER_SCHEDULE: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
    METRICS_PORT: optionalText.pipe(z.string().regex(/^\d{1,5}$/, 'must be a port number (1-65535)').optional()).transform((v) => (v === undefined ? undefined : Number(v))).pipe(z.number().int().min(1, 'must be a port number (1-65535)').max(65_535, 'must be a port number (1-65535)').optional()),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    ADMIN_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    HEALTH_THRESHOLDS: z.string().optional().superRefine((v, ctx) => {
      try {
        parseThresholds(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
    DASHBOARD_WRITE: z.enum(['on', 'off'], { error: 'must be on or off' }).default('off'),
    BACKUP_DIR: z.string().min(1).optional(),
    BACKUP_KEEP: wholeIn(1, 365, 7),
    SHUTDOWN_GRACE_MS: wholeIn(0, 600_000, 30_000),
  })
  .superRefine((env, ctx) => {
    const needs: Record<string, string[]> = {
      polygon: ['POLYGON_API_KEY'],
      alpaca: ['ALPACA_KEY_ID', 'ALPACA_SECRET_KEY'],
      alphavantage: ['ALPHAVANTAGE_API_KEY'],
      finnhub: ['FINNHUB_API_KEY'],
      fred: ['FRED_API_KEY'],
      quiver: ['QUIVER_API_KEY'],
      official: [],
      demo: [],
      fed: [],
    };
    for (const key of ['MARKET_DATA_PROVIDER', 'MARKET_DATA_SECONDARY', 'NEWS_PROVIDER', 'NEWS_SECONDARY', 'EARNINGS_PROVIDER', 'EARNINGS_SECONDARY', 'ECONOMIC_CALENDAR_PROVIDER', 'CONGRESS_PROVIDER'] as const) {
      const provider = env[key];
      if (!provider) continue;
      for (const required of needs[provider] ?? []) {
        if (!env[required as keyof typeof env]) {
          ctx.addIssue({
            code: 'custom',
            path: [required],
            message: `is required when ${key}=${provider}`,
          });
        }
      }
    }
    for (const [secondary, primary] of [['MARKET_DATA_SECONDARY', 'MARKET_DATA_PROVIDER'], ['NEWS_SECONDARY', 'NEWS_PROVIDER'], ['EARNINGS_SECONDARY', 'EARNINGS_PROVIDER']] as const) {
      if (env[secondary] && env[secondary] === env[primary]) ctx.addIssue({ code: 'custom', path: [secondary], message: `must differ from ${primary}` });
    }
    if (new URL(env.ALPACA_TRADING_URL).hostname === 'api.alpaca.markets' && env.ALPACA_LIVE !== 'yes') {
      ctx.addIssue({ code: 'custom', path: ['ALPACA_TRADING_URL'], message: 'is the live (real money) endpoint: set ALPACA_LIVE=yes to mean it, or use the paper endpoint https://paper-api.alpaca.markets' });
    }
    if (env.DISCORD_TOKEN && !env.DISCORD_APP_ID) {
      ctx.addIssue({ code: 'custom', path: ['DISCORD_APP_ID'], message: 'is required when DISCORD_TOKEN is set' });
    }
  });

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
    this.problems = problems;
  }
}

const ALLOWED_HINTS: Partial<Record<string, string>> = {
  NODE_ENV: 'development, production or test',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent',
  LOG_FORMAT: 'json (one JSON object a line; the default for worker and bot) or line (readable; the default for the CLI)',
  MARKET_DATA_PROVIDER: PROVIDERS.join(', '),
  MARKET_DATA_SECONDARY: PROVIDERS.join(', '),
  NEWS_PROVIDER: NEWS_PROVIDERS.join(', '),
  NEWS_SECONDARY: NEWS_PROVIDERS.join(', '),
  EARNINGS_PROVIDER: EARNINGS_PROVIDERS.join(', '),
  EARNINGS_SECONDARY: EARNINGS_PROVIDERS.join(', '),
  ECONOMIC_CALENDAR_PROVIDER: `${ECONOMIC_PROVIDERS.join(', ')} (fred: FRED release dates and the Fed's FOMC calendar; fed: the Fed's calendar alone)`,
  CONGRESS_PROVIDER: `${CONGRESS_PROVIDERS.join(', ')} (official: the House Clerk and the Senate's eFD; quiver: Quiver Quantitative, QUIVER_API_KEY)`,
  WORKER_MAX_CONCURRENCY: 'a whole number from 1 to 64',
  HEAVY_THREADS: 'a whole number from 0 to 16',
  SHUTDOWN_GRACE_MS: 'a whole number of milliseconds from 0 to 600000',
  ALPACA_FEED: 'sip (every exchange; the default) or iex (one exchange)',
  ALPHAVANTAGE_PLAN: 'free or premium',
  POLYGON_INDICES: 'true (your Polygon plan includes indices) or false',
  POLYGON_CALLS_PER_DAY: 'a whole number or none',
  ALPACA_CALLS_PER_DAY: 'a whole number or none',
  ALPHAVANTAGE_CALLS_PER_DAY: 'a whole number or none',
  PROVIDER_TIMEOUT_MS: 'a whole number of milliseconds from 100 to 120000',
  PROVIDER_RETRIES: 'a whole number from 0 to 10',
  PROVIDER_BREAKER_FAILURES: 'a whole number from 1 to 100',
  PROVIDER_BREAKER_COOLDOWN_MS: 'a whole number of milliseconds from 0 to 3600000',
};

/**
 * The keys a provider needs, checked on the raw values: zod runs the schema's cross-field rules only
 * when every field parsed, and a missing key must be reported beside the other problems.
 */
function missingProviderKeys(raw: Record<string, string | undefined>): string[] {
  const needs: Record<string, string[]> = {
    polygon: ['POLYGON_API_KEY'], alpaca: ['ALPACA_KEY_ID', 'ALPACA_SECRET_KEY'], alphavantage: ['ALPHAVANTAGE_API_KEY'], finnhub: ['FINNHUB_API_KEY'], fred: ['FRED_API_KEY'],
  };
  const out: string[] = [];
  for (const key of ['MARKET_DATA_PROVIDER', 'MARKET_DATA_SECONDARY', 'NEWS_PROVIDER', 'NEWS_SECONDARY', 'EARNINGS_PROVIDER', 'EARNINGS_SECONDARY', 'ECONOMIC_CALENDAR_PROVIDER']) {
    const provider = raw[key]?.trim();
    for (const required of (provider && needs[provider]) || []) {
      if (!raw[required]?.trim()) out.push(`${required} is required when ${key}=${provider} (not set)`);
    }
  }
  return out;
}

/** Parse raw variables. Pure: the caller decides where they come from. */
export function parseEnvVars(raw: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? 'environment');
    const secret = (SECRET_ENV_KEYS as readonly string[]).includes(key);
    const value = raw[key];
    const shown = value === undefined ? 'not set' : secret ? 'value hidden' : `got ${JSON.stringify(value)}`;
    const allowed = ALLOWED_HINTS[key];
    const message = issue.message.replace(/^Invalid option: expected one of .*$/, 'is not an allowed value');
    return `${key} ${message} (${shown})${allowed ? `; allowed: ${allowed}` : ''}`;
  });
  throw new EnvError([...new Set([...problems, ...missingProviderKeys(raw)])]);
}

/** Read `.env` (if present) under the process environment, which wins, and parse both. */
/** `defaults`: values a surface prefers (the CLI: LOG_LEVEL=warn) that .env and the environment still override. */
export function loadEnv(opts: { cwd?: string; source?: Record<string, string | undefined>; defaults?: Record<string, string> } = {}): Env {
  const source = Object.fromEntries(Object.entries(opts.source ?? process.env).filter(([, v]) => v !== undefined));
  const file = `${opts.cwd ?? process.cwd()}/.env`;
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return parseEnvVars({ ...opts.defaults, ...fromFile, ...source });
}

/** What results are compared with: BENCHMARK_SYMBOL, else SPX on the demo (its real series) and SPY with a real provider. */
export function benchmarkSymbol(env: Pick<Env, 'BENCHMARK_SYMBOL' | 'MARKET_DATA_PROVIDER'>): string {
  return env.BENCHMARK_SYMBOL ?? (env.MARKET_DATA_PROVIDER === 'demo' ? 'SPX' : 'SPY');
}
