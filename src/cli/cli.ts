import { parseArgs } from 'node:util';
import { EnvError, loadEnv, type Env } from '../config/env.js';
import { describeError, isUserFacingError, UserFacingError } from '../errors.js';
import { log } from '../log/logger.js';
import { deliverPending } from '../notify/delivery.js';
import { buildPost } from '../notify/post.js';
import { toText } from '../notify/render.js';
import { ConsoleSink } from '../notify/sinks/console-sink.js';
import { openRuntime, type Runtime } from '../runtime/runtime.js';
import { EXIT, VERSION_NUMBER, type Flags, type Handler } from './handler.js';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, isCalendarDate } from '../calendar/nyse.js';
import { PORTFOLIO_REF } from '../strategy/config-service.js';
import { backupHandlers } from './handlers/backup-handlers.js';
import { chartHandlers } from './handlers/chart-handlers.js';
import { opsHandlers } from './handlers/ops-handlers.js';
import { strategyHandlers } from './handlers/strategy-handlers.js';
import { tradingHandlers } from './handlers/trading-handlers.js';

export { EXIT } from './handler.js';

export const USAGE = `usage: signaldesk <command> [options]      (every read command takes --json)

  run <job> [--date YYYY-MM-DD] [--at HH:MM] [--force]   run a job now for a trading date (default: today, New York);
                                                   --at: the New York time it runs as (a 15-minute job's slot)
  jobs [list] | schedule | history <job>           jobs with next and last runs; the next 10 runs (New York); a job's runs
  health                                           database, providers and breakers, scheduler, outbox, last runs
  alerts                                           alert routing, modes and quiet hours
  portfolio [--name P] [--date D]                  cash, positions, equity, P&L, drawdown, Sharpe
  portfolio create NAME                            a new portfolio with the default configuration (audited)
  trades [--name P] [--from D] [--to D] [--symbol S]
  pnl [--name P] --period daily|weekly|monthly
  performance [--name P]                           returns (XIRR, time-weighted), drawdown, Sharpe, win rate; against the benchmark
  signal show [--name P] [--date D]                the stored signal (latest when no date)
  scan [--name SCAN] [--date D]                    a stored universe scan (run one: run next-day-prep --date D)
  universe                                         active symbols by sector, recent additions and removals
  watch list --user ID | watch stats                a member's watchlist (operators), or counts only
  why [--date D] [--name P] | why --trade ID [--out F.png]   why the stored signal decided BUY/SELL/HOLD, in sentences
  config show [--version V] | history | diff A B | set key=value … [--notes "…"] [--simulate] | rollback V | report V   [--name P]
  config simulate key=value … [--months 6 | --from D --to D] [--out F.png] [--name P]   what the change would have done (writes nothing)
  backtest --from D --to D [--version V] [--symbols A,B] [--name P]
  pause [--name P] [--notes "why"] | resume [--name P]   stop or restart paper trading (signals continue)
  chart SYMBOL [--indicators sma20,sma50,sma200,ema20,bb,rsi,macd] [--range 1m|3m|6m|1y|2y|5y] [--date D]
        [--type candle|line] [--scale linear|log] [--trades P] [--theme dark|light] [--out F.png]
  equity [--name P] [--range all|1m|…|5y] [--theme dark|light] [--out F.png]   equity, capital, benchmark, drawdown (PNG)
  backup [--out DIR]                               every collection to gzip'd Extended JSON + manifest (sha256)
  restore DIR --into URI | --local [--drop]        check the manifest, restore documents and indexes

Without MONGODB_URI the CLI starts (or reuses) the embedded local database under LOCAL_DB_DIR.`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: Record<string, string | undefined>;
}

// A Map, not a plain object: "__proto__", "constructor" or "toString" are not commands.
const handlers = new Map<string, Handler>(Object.entries({ ...opsHandlers, ...tradingHandlers, ...strategyHandlers, ...chartHandlers, ...backupHandlers }));

export const CLI_COMMANDS = [...handlers.keys()];


/**
 * Flags every command shares, checked before anything connects (bad input changes nothing): dates
 * are real calendar dates the NYSE calendar covers, names are portfolio names, versions are decimal.
 */
export function checkFlags(f: Flags): void {
  for (const [flag, value] of [['--date', f.date], ['--from', f.from], ['--to', f.to]] as const) {
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
        simulate: { type: 'boolean', default: false },
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
  if (parsed.values.help || !command) {
    io.out(USAGE);
    return command || parsed.values.help ? EXIT.ok : EXIT.usage;
  }
  const handler = handlers.get(command);
  if (!handler) {
    io.err(`unknown command "${command}"; allowed: ${CLI_COMMANDS.join(', ')}\n\n${USAGE}`);
    return EXIT.usage;
  }
  let env: Env;
  try {
    // Read by a person: warnings and errors only, as readable lines, unless LOG_LEVEL / LOG_FORMAT say otherwise.
    env = loadEnv({ source: io.env ?? process.env, defaults: { LOG_LEVEL: 'warn' } });
  } catch (err) {
    if (err instanceof EnvError) {
      io.err(err.message);
      return EXIT.usage;
    }
    throw err;
  }
  const v = parsed.values;
  const flags: Flags = {
    json: v.json ?? false, force: v.force ?? false, date: v.date, name: v.name, from: v.from, to: v.to,
    symbol: v.symbol, symbols: v.symbols, period: v.period, version: v.version, notes: v.notes,
    indicators: v.indicators, range: v.range, out: v.out, trade: v.trade, trades: v.trades, at: v.at, type: v.type, scale: v.scale, theme: v.theme, months: v.months, user: v.user, simulate: v.simulate ?? false, into: v.into, local: v.local ?? false, drop: v.drop ?? false,
  };
  try {
    checkFlags(flags);
  } catch (err) {
    if (isUserFacingError(err)) {
      io.err(`error [${err.code}]: ${err.message}`);
      return EXIT.usage;
    }
    throw err;
  }
  let rt: Runtime | undefined;
  try {
    // Posts printed by the console sink go to stderr under --json, so stdout stays one JSON document.
    rt = await openRuntime(env, { logFd: 2, logFormat: 'line', consoleSink: new ConsoleSink(flags.json ? io.err : io.out) });
    const result = await handler(rt, args, flags);
    if (command === 'run') await deliverPending(env);
    io.out(flags.json ? JSON.stringify(result.data, null, 2) : toText(buildPost(result.post)));
    return result.code ?? EXIT.ok;
  } catch (err) {
    if (isUserFacingError(err)) {
      io.err(`error [${err.code}]: ${err.message}`);
      return EXIT.usage;
    }
    log().error({ err, command }, 'command failed');
    io.err(`error: ${command} failed unexpectedly (${describeError(err)}); see the log for details.`);
    return EXIT.error;
  } finally {
    await rt?.close();
  }
}
