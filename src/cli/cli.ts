import { parseArgs } from 'node:util';
import { readdirSync } from 'node:fs';
import { EnvError, loadEnv, type Env } from '../config/env.js';
import { describeError, isUserFacingError, UserFacingError } from '../errors.js';
import { log } from '../log/logger.js';
import { buildPost } from '../notify/post.js';
import { toText } from '../notify/render.js';
import { ConsoleSink } from '../notify/sinks/console-sink.js';
import type { Runtime } from '../runtime/runtime.js';
import { VERSION_NUMBER, type Flags, type Handler } from './handler.js';
import { COMMANDS, EXIT, USAGE, type HandlerGroup } from './command-table.js';
import { completionScript, SHELLS, type Shell } from './completion.js';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, isCalendarDate } from '../calendar/nyse.js';
import { PORTFOLIO_REF } from '../portfolio/names.js';
import { colorsFor, paint } from './colors.js';

export { EXIT, USAGE } from './command-table.js';

/**
 * Each group of handlers is imported when one of its commands runs, never before: a portfolio read loads
 * neither the chart renderer nor discord.js nor Agenda (test/cli/cli-startup.test.ts checks it).
 */
const GROUPS: Record<HandlerGroup, () => Promise<Record<string, Handler>>> = {
  ops: () => import('./handlers/ops-handlers.js').then((m) => m.opsHandlers),
  trading: () => import('./handlers/trading-handlers.js').then((m) => m.tradingHandlers),
  strategy: () => import('./handlers/strategy-handlers.js').then((m) => m.strategyHandlers),
  ideas: () => import('./handlers/ideas-handlers.js').then((m) => m.ideasHandlers),
  chart: () => import('./handlers/chart-handlers.js').then((m) => m.chartHandlers),
  backup: () => import('./handlers/backup-handlers.js').then((m) => m.backupHandlers),
  info: () => import('./handlers/info-handlers.js').then((m) => m.infoHandlers),
};

// A Map, not a plain object: "__proto__", "constructor" or "toString" are not commands.
const commands = new Map(Object.entries(COMMANDS));

export const CLI_COMMANDS = [...commands.keys(), 'completion'];

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: Record<string, string | undefined>;
  /** Whether stdout / stderr are terminals (colours and progress lines only there). Default: no. */
  tty?: { out: boolean; err: boolean };
}

/** The job names for completion, from the file names in jobs/ (nothing is imported). */
function jobNames(): string[] {
  try {
    return readdirSync(new URL('../../jobs/', import.meta.url)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).map((f) => f.replace(/\.(ts|js)$/, '')).sort();
  } catch {
    return [];
  }
}

/**
 * Flags every command shares, checked before anything connects (bad input changes nothing): dates
 * are real calendar dates the NYSE calendar covers, names are portfolio names, versions are decimal.
 */
export function checkFlags(f: Flags): void {
  for (const [flag, value] of [['--date', f.date], ['--from', f.from], ['--to', f.to], ['--since', f.since]] as const) {
    if (value === undefined) continue;
    if (!isCalendarDate(value)) {
      throw new UserFacingError('BAD_DATE', `${flag} "${value}" is not usable: give a calendar date as YYYY-MM-DD between ${CALENDAR_FIRST_YEAR}-01-01 and ${CALENDAR_LAST_YEAR}-12-31.`);
    }
  }
  if (f.name !== undefined && !PORTFOLIO_REF.test(f.name)) {
    throw new UserFacingError('BAD_NAME', `--name "${f.name}" is not a portfolio name: use 1 to 32 lower-case letters, digits or dashes (e.g. main), or backtest:<id>.`);
  }
  if (f.version !== undefined && !VERSION_NUMBER.test(f.version)) {
    throw new UserFacingError('BAD_VERSION', `--version "${f.version}" must be a version number (1, 2, …).`);
  }
}

/** Parse, connect, run one command, print text or JSON; returns the exit status. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        date: { type: 'string' },
        name: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        since: { type: 'string' },
        symbol: { type: 'string' },
        symbols: { type: 'string' },
        period: { type: 'string' },
        version: { type: 'string' },
        notes: { type: 'string' },
        indicators: { type: 'string' },
        range: { type: 'string' },
        out: { type: 'string' },
        trade: { type: 'string' },
        trades: { type: 'string' },
        at: { type: 'string' },
        type: { type: 'string' },
        scale: { type: 'string' },
        theme: { type: 'string' },
        months: { type: 'string' },
        user: { type: 'string' },
        days: { type: 'string' },
        member: { type: 'string' },
        ticker: { type: 'string' },
        simulate: { type: 'boolean', default: false },
        ideas: { type: 'boolean', default: false },
        criterion: { type: 'string' },
        into: { type: 'string' },
        local: { type: 'boolean', default: false },
        drop: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.err(`${describeError(err)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const [command, ...args] = parsed.positionals;
  const env0 = io.env ?? process.env;
  const colors = colorsFor(env0, io.tty ?? { out: false, err: false });
  const fail = (code: number, text: string): number => {
    io.err(text.startsWith('error') ? `${paint(colors.err, 'red', text.slice(0, text.indexOf(':') + 1))}${text.slice(text.indexOf(':') + 1)}` : text);
    return code;
  };
  if (parsed.values.help || !command || command === 'help') {
    io.out(USAGE);
    return command || parsed.values.help ? EXIT.ok : EXIT.usage;
  }
  if (command === 'completion') {
    const shell = args[0];
    if (!SHELLS.includes(shell as Shell) || args.length > 1) return fail(EXIT.usage, `error [USAGE]: completion needs one shell: ${SHELLS.join(' or ')} (got ${args.length ? `"${args.join(' ')}"` : 'none'}).`);
    io.out(completionScript(shell as Shell, jobNames()));
    return EXIT.ok;
  }
  const spec = commands.get(command);
  if (!spec) return fail(EXIT.usage, `unknown command "${command}"; allowed: ${CLI_COMMANDS.join(', ')}\n\n${USAGE}`);
  let env: Env;
  try {
    // Read by a person: warnings and errors only, as readable lines, unless LOG_LEVEL / LOG_FORMAT say otherwise.
    env = loadEnv({ source: env0, defaults: { LOG_LEVEL: 'warn' } });
  } catch (err) {
    if (err instanceof EnvError) return fail(EXIT.usage, err.message);
    throw err;
  }
  const v = parsed.values;
  const flags: Flags = {
    json: v.json ?? false, force: v.force ?? false, date: v.date, name: v.name, from: v.from, to: v.to, since: v.since,
    symbol: v.symbol, symbols: v.symbols, period: v.period, version: v.version, notes: v.notes,
    indicators: v.indicators, range: v.range, out: v.out, trade: v.trade, trades: v.trades, at: v.at, type: v.type, scale: v.scale, theme: v.theme, months: v.months, user: v.user, days: v.days, member: v.member, ticker: v.ticker, simulate: v.simulate ?? false, ideas: v.ideas ?? false, criterion: v.criterion, into: v.into, local: v.local ?? false, drop: v.drop ?? false,
  };
  try {
    checkFlags(flags);
  } catch (err) {
    if (isUserFacingError(err)) return fail(EXIT.usage, `error [${err.code}]: ${err.message}`);
    throw err;
  }
  // A progress line on stderr for long commands, on a terminal and never under --json.
  if (spec.long && io.tty?.err && !flags.json) flags.progress = (stage) => io.err(paint(colors.err, 'dim', `… ${stage}`));
  let rt: Runtime | undefined;
  try {
    const [handlers, { openRuntime }] = await Promise.all([GROUPS[spec.group](), import('../runtime/runtime.js')]);
    const handler = handlers[command]!;
    // Posts printed by the console sink go to stderr under --json, so stdout stays one JSON document.
    rt = await openRuntime(env, { logFd: 2, logFormat: 'line', consoleSink: new ConsoleSink(flags.json ? io.err : io.out), jobs: spec.jobs === true });
    const result = await handler(rt, args, flags);
    if (command === 'run') await import('../notify/delivery.js').then((m) => m.deliverPending(env));
    io.out(flags.json ? JSON.stringify(result.data, null, 2) : colorText(toText(buildPost(result.post)), colors.out));
    return result.code ?? EXIT.ok;
  } catch (err) {
    return fail(...classify(err, command));
  } finally {
    await rt?.close();
  }
}

/** Bold titles, a yellow demo label: only where colours are on. */
function colorText(text: string, on: boolean): string {
  if (!on) return text;
  return text.split('\n').map((l, i) => (i === 0 ? paint(on, 'bold', l) : l.includes('⚠') ? paint(on, 'yellow', l) : l)).join('\n');
}

/** The driver's and mongoose's names for "no database there" (by name: this module loads neither). */
const DATABASE_ERRORS = /^Mongo(ose)?(ServerSelection|Network|NetworkTimeout|TopologyClosed|NotConnected)Error$/;

/** A failure as its exit status and one line: the class of failure decides the status (see EXIT). */
export function classify(err: unknown, command: string): [number, string] {
  if (isUserFacingError(err)) return [err.code === 'LOCAL_DB' ? EXIT.database : EXIT.usage, `error [${err.code}]: ${err.message}`];
  const name = err instanceof Error ? err.name : '';
  if (name === 'ProviderError') return [EXIT.provider, `error [PROVIDER]: ${describeError(err)}`];
  if (DATABASE_ERRORS.test(name)) {
    return [EXIT.database, `error [DATABASE]: the database did not answer (${describeError(err)}); start it, or check MONGODB_URI / LOCAL_DB_DIR, and try again.`];
  }
  log().error({ err, command }, 'command failed');
  return [EXIT.error, `error: ${command} failed unexpectedly (${describeError(err)}); see the log for details.`];
}
