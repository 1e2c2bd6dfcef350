import { addDays, type IsoDate } from '../calendar/dates.js';
import { isCalendarDate } from '../calendar/nyse.js';
import { renderPanelChart } from '../charts/panel-chart.js';
import { UserFacingError } from '../errors.js';
import { lastBarDates, readBars } from '../market-data/bar-store.js';
import { ensureHistory, lastFinishedSession } from '../market-data/ensure-history.js';
import type { MarketDataProvider } from '../market-data/provider.js';
import { compare, type Comparison } from '../trading/benchmark.js';
import type { StrategyParams } from './config-schema.js';
import type { ParamChange } from './config-service.js';
import { previewSet } from './config-service.js';
import { runBacktest, type BacktestResult } from './backtest.js';

/** The longest window a simulation takes (Discord's interaction token lasts 15 minutes; this runs in seconds). */
export const MAX_SIMULATION_MONTHS = 120;

export interface SimulationMetrics {
  totalReturn: number;
  cagr: number;
  maxDrawdown: number;
  sharpe: number;
  trades: number;
  exposure: number;
  /** Money traded (buys and sells) over the average equity. */
  turnover: number;
  finalEquity: number;
}

export interface Simulation {
  portfolio: string;
  from: IsoDate;
  to: IsoDate;
  activeVersion: number;
  assignments: string[];
  changes: ParamChange[];
  active: SimulationMetrics;
  proposed: SimulationMetrics;
  /** proposed − active, per metric. */
  difference: SimulationMetrics;
  /** Each run against the same capital in the benchmark (null without its bars). */
  benchmark: { active: Comparison | null; proposed: Comparison | null };
  curves: { dates: IsoDate[]; active: number[]; proposed: number[] };
  /** When the change touches the entry ideas' keys: each criterion's record under both, replayed over the window. */
  ideas?: { active: IdeaRecordLine[]; proposed: IdeaRecordLine[] } | undefined;
}

/** One criterion's record in a simulation (src/ideas/idea-backtest.ts). */
export interface IdeaRecordLine { criterion: string; count: number; scored: number; hitRate: number | null; avgReturn: number | null; avgExcess: number | null; avgPnlPer1000: number | null }

function metricsOf(r: BacktestResult): SimulationMetrics {
  const traded = r.days.reduce((s, d) => s + d.fills.reduce((x, f) => x + Math.abs(f.amount), 0), 0);
  const avgEquity = r.points.length ? r.points.reduce((s, p) => s + p.equity, 0) / r.points.length : 0;
  const p = r.performance;
  return {
    totalReturn: p.totalReturn, cagr: p.cagr, maxDrawdown: p.maxDrawdown, sharpe: p.sharpe, trades: r.tradeCount, exposure: p.exposure,
    turnover: avgEquity > 0 ? traded / avgEquity : 0, finalEquity: r.finalEquity,
  };
}

/**
 * What a config change would have done: the active version and the proposed one (validated exactly as
 * `config set` validates it) backtested over the same window of stored bars through the same signal and
 * execution code. Writes nothing. Default window: the `months` before the last stored bar of the assets.
 */
export interface SimulationRequest { portfolio: string; assignments: string[]; months?: number | undefined; from?: string | undefined; to?: string | undefined; benchmark?: string | undefined }

/**
 * With a `provider`, bars the window needs and the store lacks are loaded first (as `backtest` does), so a
 * fresh install simulates without a fetch job having run; without one, only stored bars are used.
 */
export async function simulateConfig(req: SimulationRequest, onProgress?: (stage: string) => void, provider?: MarketDataProvider): Promise<Simulation> {
  const months = req.months ?? 6;
  if (!Number.isInteger(months) || months < 1 || months > MAX_SIMULATION_MONTHS) {
    throw new UserFacingError('BAD_MONTHS', `months must be a whole number from 1 to ${MAX_SIMULATION_MONTHS} (got ${req.months}).`);
  }
  for (const [k, v] of [['--from', req.from], ['--to', req.to]] as const) {
    if (v !== undefined && !isCalendarDate(v)) throw new UserFacingError('BAD_DATE', `${k} "${v}" is not usable: give YYYY-MM-DD between 2000-01-01 and 2030-12-31.`);
  }
  const preview = await previewSet(req.portfolio, req.assignments);
  const symbols = [...new Set([...preview.activeParams.assets, ...preview.params.assets])];
  const benchmark = (req.benchmark ?? 'SPX').toUpperCase();
  const last = [...(await lastBarDates(symbols)).values()].filter((d): d is string => d !== undefined).sort().pop() ?? (provider ? lastFinishedSession() : undefined);
  if (!last) throw new UserFacingError('NO_DATA', `No stored bars for ${symbols.join(', ')}: fetch-market-data loads them.`);
  const to = req.to ?? last;
  const from = req.from ?? addDays(to, -Math.round(months * 30.44));
  if (from >= to) throw new UserFacingError('BAD_RANGE', `--from ${from} must be before --to ${to}.`);
  if (addDays(from, Math.round(MAX_SIMULATION_MONTHS * 30.44)) < to) throw new UserFacingError('TOO_LONG', `A simulation covers at most ${MAX_SIMULATION_MONTHS} months; ${from} → ${to} is longer.`);
  const lookback = Math.max(preview.activeParams.lookback_days, preview.params.lookback_days);
  const historyFrom = addDays(from, -Math.ceil(lookback * 1.5) - 10);
  if (provider) {
    onProgress?.(`loading ${symbols.join(', ')} bars`);
    await ensureHistory([...new Set([...symbols, benchmark])], historyFrom, to, provider);
  }
  onProgress?.(`reading ${symbols.join(', ')} bars`);
  const stored = await readBars([...new Set([...symbols, benchmark])], historyFrom, to);
  const bars = Object.fromEntries([...stored].filter(([s]) => symbols.includes(s)).map(([s, list]) => [s, list.map((b) => ({ date: b.date, open: b.open, close: b.close }))]));
  const prices = new Map((stored.get(benchmark) ?? []).map((b) => [b.date, { open: b.open, close: b.close }]));
  const run = (params: StrategyParams) => runBacktest({ params, from, to, bars });
  onProgress?.(`backtesting active v${preview.from}`);
  const a = run(preview.activeParams);
  onProgress?.('backtesting the proposed version');
  const b = run(preview.params);
  if (a.days.length === 0 || b.days.length === 0) throw new UserFacingError('NO_DATA', `No stored bars for ${symbols.join(', ')} between ${from} and ${to}.`);
  const active = metricsOf(a);
  const proposed = metricsOf(b);
  const difference = Object.fromEntries(Object.keys(active).map((k) => [k, proposed[k as keyof SimulationMetrics] - active[k as keyof SimulationMetrics]])) as unknown as SimulationMetrics;
  let ideas: Simulation['ideas'];
  if (preview.changes.some((c) => c.key.startsWith('idea'))) {
    // The ideas' criteria replayed under both versions, over the same window (src/ideas: loaded only here).
    const { backtestIdeas } = await import('../ideas/idea-backtest.js');
    const lines = (r: Awaited<ReturnType<typeof backtestIdeas>>): IdeaRecordLine[] => [...r.criteria, { ...r.overall, criterion: 'all' }].map((c) => ({ criterion: c.criterion, count: c.count, scored: c.scored, hitRate: c.hitRate, avgReturn: c.avgReturn, avgExcess: c.avgExcess, avgPnlPer1000: c.avgPnlPer1000 }));
    onProgress?.('replaying the idea criteria under both versions');
    ideas = {
      active: lines(await backtestIdeas({ from, to, params: preview.activeParams, provider })),
      proposed: lines(await backtestIdeas({ from, to, params: preview.params, provider })),
    };
  }
  const navB = new Map(b.performance.nav.map((p) => [p.date, p.nav]));
  const dates = a.performance.nav.map((p) => p.date);
  return {
    portfolio: req.portfolio, from: a.days[0]!.date, to: a.days[a.days.length - 1]!.date, activeVersion: preview.from, assignments: req.assignments,
    changes: preview.changes, active, proposed, difference,
    benchmark: { active: compare(a.points, prices, benchmark), proposed: compare(b.points, prices, benchmark) },
    curves: { dates, active: a.performance.nav.map((p) => p.nav), proposed: dates.map((d) => navB.get(d) ?? NaN) },
    ...(ideas ? { ideas } : {}),
  };
}

/** Both NAV curves (growth of 1 unit, capital injections excluded) as one PNG. */
export function simulationChart(s: Simulation): { png: Buffer; filename: string } {
  return {
    png: renderPanelChart({
      title: `${s.portfolio}: v${s.activeVersion} vs proposed · ${s.from} → ${s.to}`,
      subtitle: `${s.assignments.join(' ')}   ·   growth of 1 (time-weighted NAV; capital injections excluded)`,
      dates: s.curves.dates,
      panels: [{
        name: 'NAV', weight: 1, lastLabel: true, format: (v) => v.toFixed(3),
        lines: [
          { label: 'proposed', values: s.curves.proposed.map((v) => (Number.isFinite(v) ? v : null)), color: '#29b6f6', width: 2 },
          { label: `active v${s.activeVersion}`, values: s.curves.active, color: '#e0e0e0', width: 1.6 },
        ],
      }],
    }).png,
    filename: `simulate-${s.portfolio}-${s.to}.png`,
  };
}

/** The figures stored in the activated version's notes. */
export function simulationNotes(s: Simulation): string {
  const f = (m: SimulationMetrics) => `TWR ${(m.totalReturn * 100).toFixed(2)}%, CAGR ${(m.cagr * 100).toFixed(2)}%, maxDD ${(m.maxDrawdown * 100).toFixed(2)}%, Sharpe ${m.sharpe.toFixed(2)}, trades ${m.trades}`;
  return `simulated ${s.from} → ${s.to}: active v${s.activeVersion} ${f(s.active)}; proposed ${f(s.proposed)}`;
}
