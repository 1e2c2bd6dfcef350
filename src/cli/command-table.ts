/**
 * The CLI's commands as data: what each one is called, which group of handlers serves it (loaded only when
 * that command runs), whether it needs the job definitions, its subcommands and flags (for `--help` and shell
 * completion). This module imports nothing, so `--help` and `completion` answer without loading the rest.
 */
export type HandlerGroup = 'ops' | 'trading' | 'strategy' | 'chart' | 'backup' | 'info' | 'ideas';

export interface CommandSpec {
  group: HandlerGroup;
  /** Reads the job definitions (jobs/*.ts): loaded at start only for these. */
  jobs?: boolean;
  /** A long command: a progress line goes to stderr on a terminal. */
  long?: boolean;
  subcommands?: readonly string[];
  flags: readonly string[];
}

const READ = ['--json'] as const;

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  run: { group: 'ops', jobs: true, long: true, flags: ['--date', '--at', '--force', ...READ] },
  jobs: { group: 'ops', jobs: true, subcommands: ['list', 'schedule', 'history'], flags: READ },
  health: { group: 'ops', jobs: true, flags: READ },
  alerts: { group: 'ops', flags: READ },
  portfolio: { group: 'trading', subcommands: ['create'], flags: ['--name', '--date', ...READ] },
  trades: { group: 'trading', flags: ['--name', '--from', '--to', '--symbol', ...READ] },
  pnl: { group: 'trading', flags: ['--name', '--period', ...READ] },
  performance: { group: 'trading', flags: ['--name', ...READ] },
  signal: { group: 'trading', subcommands: ['show'], flags: ['--name', '--date', ...READ] },
  scan: { group: 'trading', flags: ['--name', '--date', ...READ] },
  universe: { group: 'trading', flags: READ },
  watch: { group: 'trading', subcommands: ['list', 'stats'], flags: ['--user', ...READ] },
  pause: { group: 'trading', flags: ['--name', '--notes', ...READ] },
  resume: { group: 'trading', flags: ['--name', ...READ] },
  why: { group: 'strategy', jobs: true, flags: ['--date', '--name', '--trade', '--out', ...READ] },
  config: {
    group: 'strategy', long: true, subcommands: ['show', 'history', 'diff', 'set', 'rollback', 'report', 'simulate'],
    flags: ['--version', '--notes', '--simulate', '--months', '--from', '--to', '--out', '--name', ...READ],
  },
  backtest: { group: 'strategy', long: true, flags: ['--from', '--to', '--version', '--symbols', '--name', '--ideas', ...READ] },
  ideas: { group: 'ideas', subcommands: ['stats'], flags: ['--date', '--criterion', '--since', '--out', ...READ] },
  chart: { group: 'chart', flags: ['--indicators', '--range', '--date', '--type', '--scale', '--trades', '--theme', '--out', ...READ] },
  equity: { group: 'chart', flags: ['--name', '--range', '--theme', '--out', ...READ] },
  news: { group: 'info', flags: ['--since', '--date', ...READ] },
  earnings: { group: 'info', flags: ['--date', '--from', '--to', ...READ] },
  calendar: { group: 'info', subcommands: ['week'], flags: ['--date', '--from', '--to', ...READ] },
  world: { group: 'info', flags: ['--date', ...READ] },
  brew: { group: 'info', subcommands: ['early', 'main'], flags: ['--date', ...READ] },
  congress: { group: 'info', subcommands: ['recent', 'member', 'follow', 'unfollow', 'list'], flags: ['--days', '--member', '--ticker', '--date', '--user', ...READ] },
  broker: { group: 'trading', subcommands: ['status', 'adopt', 'live'], flags: ['--name', '--date', ...READ] },
  backup: { group: 'backup', flags: ['--out', ...READ] },
  restore: { group: 'backup', flags: ['--into', '--local', '--drop', ...READ] },
};

/** Commands answered without a database. */
export const LOCAL_COMMANDS = ['completion', 'help'] as const;

/** Values a flag takes from a fixed set (completion offers them). */
export const FLAG_VALUES: Readonly<Record<string, readonly string[]>> = {
  '--period': ['daily', 'weekly', 'monthly'],
  '--range': ['1m', '3m', '6m', '1y', '2y', '5y', 'all'],
  '--type': ['candle', 'line'],
  '--scale': ['linear', 'log'],
  '--theme': ['dark', 'light'],
  '--days': ['7', '30', '90'],
  '--indicators': ['sma20', 'sma50', 'sma200', 'ema20', 'bb', 'rsi', 'macd'],
};

/**
 * CLI exit statuses, one per class of failure, so a script can tell them apart:
 * 0 ok; 1 an unexpected error (or `health` found a problem); 2 bad input (nothing was changed);
 * 3 a provider or plan refused, or the job ran and failed (see its run); 4 not now: the database did not
 * answer, or another worker holds that run (nothing was done here; try again later).
 */
export const EXIT = { ok: 0, error: 1, usage: 2, jobFailed: 3, provider: 3, busy: 4, database: 4 } as const;

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
  backtest --ideas --from D --to D [--version V]   the entry-idea criteria replayed and scored over stored history
  ideas [--date D | SYMBOL]                        entry ideas of a day (default: the latest) or a name's past year, with outcomes
  ideas stats [--criterion C] [--since D] [--out F.png]   hit rate, return vs SPX, best and worst, per criterion
  pause [--name P] [--notes "why"] | resume [--name P]   stop or restart paper trading (signals continue)
  broker status [--name P] [--date D] | broker adopt SYMBOL|cash [--name P] | broker live on|off   orders, fills, reconciliation; take the broker's side; allow real money (audited)
  chart SYMBOL [--indicators sma20,sma50,sma200,ema20,bb,rsi,macd] [--range 1m|3m|6m|1y|2y|5y] [--date D]
        [--type candle|line] [--scale linear|log] [--trades P] [--theme dark|light] [--out F.png]
  equity [--name P] [--range all|1m|…|5y] [--theme dark|light] [--out F.png]   equity, capital, benchmark, drawdown (PNG)
  news [SYMBOL] [--since D] [--date D]             articles on a name (or the market) up to D, newest first, with the provider's sentiment
  earnings [--date D | --from D --to D | SYMBOL]   who reports (before the open / after the close, EPS estimate)
  calendar [--date D | --from D --to D | week]     economic releases and FOMC decisions, New York times
  brew [early|main] [--date D]                     the morning brief again (06:00 early, 07:30 main: the names worth a look)
  world [--date D]                                 the world board of a trading day (20:00): regions, the dollar, yields, crypto
  congress recent [--days N] [--member M | --ticker T] [--date D]   trades disclosed by Congress (and filings not parsed)
  congress member NAME                             a member's trades, lag from trade to disclosure, late filings
  congress follow|unfollow member|ticker|amount VALUE --user ID | congress list --user ID   a member's alert rules
  backup [--out DIR]                               every collection to gzip'd Extended JSON + manifest (sha256)
  restore DIR --into URI | --local [--drop]        check the manifest, restore documents and indexes
  completion bash|zsh                              a shell completion script: source <(signaldesk completion bash)

Exit status: 0 ok · 1 unexpected error (or health found a problem) · 2 bad input (nothing changed) ·
3 a provider or plan refused, or the job failed · 4 not now: the database did not answer or another worker
holds the run (try again). Colours only on a terminal, never with NO_COLOR.
Without MONGODB_URI the CLI starts (or reuses) the embedded local database under LOCAL_DB_DIR.`;
