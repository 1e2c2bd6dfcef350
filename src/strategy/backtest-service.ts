import { randomBytes } from 'node:crypto';
import { addDays, type IsoDate } from '../calendar/dates.js';
import { isCalendarDate } from '../calendar/nyse.js';
import { BacktestRun } from '../db/models/backtest-run.js';
import { CapitalInjection } from '../db/models/capital-injection.js';
import { Signal } from '../db/models/signal.js';
import { Trade } from '../db/models/trade.js';
import { UserFacingError } from '../errors.js';
import { readBars } from '../market-data/bar-store.js';
import { ensureHistory } from '../market-data/ensure-history.js';
import type { MarketDataProvider } from '../market-data/provider.js';
import { coveredSymbols } from '../market-data/universe.js';
import { compare, type Comparison } from '../trading/benchmark.js';
import { validateParams } from './config-schema.js';
import { getActiveConfig, getVersion, type Actor } from './config-versions.js';
import { runBacktest } from './backtest.js';

export interface BacktestOptions {
  portfolio?: string;
  from: string;
  to: string;
  version?: number;
  symbols?: string[];
  /** What the run is compared with (benchmarkSymbol(env)): the same daily capital bought at its open. */
  benchmark?: string;
  actor: Actor;
  provider: MarketDataProvider;
  onProgress?: (stage: string) => void;
}

export interface BacktestSummary {
  runId: string;
  portfolio: string;
  from: IsoDate;
  to: IsoDate;
  configVersion: number;
  symbols: string[];
  days: number;
  trades: number;
  capital: number;
  finalEquity: number;
  totalReturn: number;
  cagr: number;
  maxDrawdown: number;
  sharpe: number;
  exposure: number;
  actions: Record<string, number>;
  curve: Array<{ date: IsoDate; nav: number }>;
  /** The same capital in the benchmark; null when its bars are not available. */
  benchmark: Comparison | null;
}

function thin<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const step = xs.length / max;
  const out = Array.from({ length: max }, (_, i) => xs[Math.floor(i * step)]!);
  out[out.length - 1] = xs[xs.length - 1]!;
  return out;
}

/**
 * What can be refused before a backtest starts (dates on the calendar, from before to, covered symbols),
 * naming each input as its surface calls it: `--from` on the CLI (default), `from` in Discord.
 */
export function checkBacktestRequest(opts: { from: string; to: string; symbols?: string[] | undefined }, optionName: (k: 'from' | 'to' | 'symbols') => string = (k) => `--${k}`): void {
  for (const [k, v] of [['from', opts.from], ['to', opts.to]] as const) {
    if (!isCalendarDate(v)) throw new UserFacingError('BAD_DATE', `${optionName(k)} "${v}" is not usable: give YYYY-MM-DD between 2000-01-01 and 2030-12-31.`);
  }
  if (opts.from >= opts.to) throw new UserFacingError('BAD_RANGE', `${optionName('from')} ${opts.from} must be before ${optionName('to')} ${opts.to}.`);
  if (opts.symbols?.length) {
    // Only symbols we cover: the universe (and SPX, the demo's real index). A made-up ticker would
    // otherwise be "backtested" on synthetic demo data or fail deep inside a provider.
    const covered = coveredSymbols();
    const unknown = opts.symbols.map((x) => x.toUpperCase()).filter((x) => !covered.has(x));
    if (unknown.length) {
      throw new UserFacingError('UNKNOWN_SYMBOL', `${optionName('symbols')}: not covered: ${unknown.map((s) => `"${s}"`).join(', ')}. Covered: the ${covered.size} universe symbols (SPX, SPY, QQQ, AAPL, MSFT, …); see \`signaldesk universe\` or /universe.`);
    }
  }
}

/**
 * The live signal and execution code over history, with a chosen config version, on cached
 * bars. The run is written to a scratch portfolio `backtest:<runId>` (signals, trades, capital),
 * so it can be inspected with the same portfolio/trades/pnl reads.
 */
export async function backtest(opts: BacktestOptions): Promise<BacktestSummary> {
  checkBacktestRequest(opts);
  const portfolio = opts.portfolio ?? 'main';
  const config = opts.version === undefined ? await getActiveConfig(portfolio) : await getVersion(portfolio, opts.version);
  const checked = validateParams({ ...config.params, ...(opts.symbols?.length ? { assets: opts.symbols.map((s) => s.toUpperCase()) } : {}) });
  if (!checked.ok) throw new UserFacingError('BAD_SYMBOLS', `The backtest was not run:\n${checked.problems.map((p) => `• ${p}`).join('\n')}`);
  const params = checked.params;
  const historyFrom = addDays(opts.from, -Math.ceil(params.lookback_days * 1.5) - 10);
  opts.onProgress?.('loading bars');
  const benchmark = (opts.benchmark ?? 'SPX').toUpperCase();
  const needed = [...new Set([...params.assets, benchmark])];
  await ensureHistory(needed, historyFrom, opts.to, opts.provider);
  const stored = await readBars(needed, historyFrom, opts.to);
  const bars = Object.fromEntries([...stored].filter(([s]) => params.assets.includes(s)).map(([s, list]) => [s, list.map((b) => ({ date: b.date, open: b.open, close: b.close }))]));
  opts.onProgress?.('simulating');
  const r = runBacktest({ params, from: opts.from, to: opts.to, bars });
  if (r.days.length === 0) throw new UserFacingError('NO_DATA', `No bars for ${params.assets.join(', ')} between ${opts.from} and ${opts.to}.`);
  const runId = `${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
  const scratch = `backtest:${runId}`;
  opts.onProgress?.('saving');
  const now = new Date();
  // The run record first, as 'writing': a process killed while saving leaves something the sweep can find.
  await BacktestRun.create({
    runId, portfolio: scratch, from: r.days[0]!.date, to: r.days[r.days.length - 1]!.date, configVersion: config.version, symbols: params.assets,
    metrics: {}, curve: [], createdBy: `${opts.actor.source}:${opts.actor.name}`, createdAt: now, status: 'writing',
  });
  const signalDocs = r.days.map((d) => ({
    portfolio: scratch, tradeDate: d.date, configVersion: config.version, modelType: d.signal.model_type, action: d.signal.features_used.action,
    confidenceScore: d.signal.confidence_score, allocations: d.signal.allocations, features: { ...d.signal.features_used, assets: {} },
    dataThrough: d.signal.features_used.data_through || 'none', createdAt: now,
  }));
  const inserted = await Signal.insertMany(signalDocs, { ordered: false });
  const idByDate = new Map(inserted.map((s) => [s.tradeDate, s._id]));
  const trades = r.days.flatMap((d) => d.fills.map((f) => ({ portfolio: scratch, signalId: idByDate.get(d.date), tradeDate: d.date, ...f, createdAt: now })));
  if (trades.length) await Trade.insertMany(trades, { ordered: false });
  await CapitalInjection.insertMany(r.days.map((d) => ({ portfolio: scratch, date: d.date, amount: params.daily_capital, createdAt: now })), { ordered: false });
  const p = r.performance;
  const actions: Record<string, number> = {};
  for (const d of r.days) actions[d.signal.features_used.action] = (actions[d.signal.features_used.action] ?? 0) + 1;
  const summary: BacktestSummary = {
    runId, portfolio: scratch, from: r.days[0]!.date, to: r.days[r.days.length - 1]!.date, configVersion: config.version, symbols: params.assets,
    days: p.days, trades: r.tradeCount, capital: r.capital, finalEquity: r.finalEquity, totalReturn: p.totalReturn, cagr: p.cagr,
    maxDrawdown: p.maxDrawdown, sharpe: p.sharpe, exposure: p.exposure, actions, curve: thin(p.nav, 400),
    benchmark: compare(r.points, new Map((stored.get(benchmark) ?? []).map((b) => [b.date, { open: b.open, close: b.close }])), benchmark),
  };
  await BacktestRun.updateOne({ runId }, { $set: { metrics: { ...summary, curve: undefined }, curve: summary.curve, status: 'done' } });
  return summary;
}

/** A backtest still 'writing' after this long belongs to a process that died while saving it. */
export const UNFINISHED_BACKTEST_MS = 10 * 60_000;

/** Remove backtests a killed process left half-written: their scratch signals, trades, capital and record. */
export async function sweepUnfinishedBacktests(now = new Date(), olderThanMs = UNFINISHED_BACKTEST_MS): Promise<string[]> {
  const stale = await BacktestRun.find({ status: 'writing', createdAt: { $lt: new Date(now.getTime() - olderThanMs) } }).lean();
  for (const run of stale) {
    await Promise.all([
      Signal.deleteMany({ portfolio: run.portfolio }),
      Trade.deleteMany({ portfolio: run.portfolio }),
      CapitalInjection.deleteMany({ portfolio: run.portfolio }),
    ]);
    await BacktestRun.deleteOne({ runId: run.runId, status: 'writing' });
  }
  return stale.map((r) => r.portfolio);
}
