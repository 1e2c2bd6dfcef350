import { addDays, type IsoDate } from '../calendar/dates.js';
import { tradingDaysBetween } from '../calendar/nyse.js';
import { UserFacingError } from '../errors.js';
import { readBars, streamBars } from '../market-data/bar-store.js';
import { ensureHistory } from '../market-data/ensure-history.js';
import type { Bar, MarketDataProvider } from '../market-data/provider.js';
import { readSnapshot, shareOfDay } from '../market-data/snapshot-store.js';
import { loadUniverse, sectorOf } from '../market-data/universe.js';
import { MAIN_PORTFOLIO } from '../portfolio/portfolios.js';
import { validateParams, type StrategyParams } from '../strategy/config-schema.js';
import { getActiveConfig, getVersion } from '../strategy/config-versions.js';
import { IDEA_CRITERIA, IDEA_SLOTS, openKey, rankIdeas, type DaySoFar, type IdeaInput, type IdeaParams, type IdeaSlotJob, type RankedIdea } from './criteria.js';
import { setupAt, setupColumns } from './features.js';
import { recordOf, type IdeaStatsView, type ScoredIdea } from './idea-record.js';
import { ideaParams } from './idea-slots.js';
import { scoreIdea, SCORE_SESSIONS, type Ohlc } from './scoring.js';

/**
 * `backtest --ideas`: the live criteria (criteria.ts's rankIdeas) over stored history, session by session, scored
 * by the live rules (scoring.ts) — so a criterion can be judged over years before it runs. What history holds
 * decides what can be replayed, and the result says it: the previous-close criteria every session; the day-so-far
 * criteria only on days whose slot snapshot is stored (daily bars do not hold 11:00 or 14:30); the pre-market gap
 * never (no free source keeps pre-market history). News and earnings dates are not replayed either (the criteria
 * that read them see none). One symbol's bars in memory at a time.
 */
export interface IdeaBacktest extends IdeaStatsView {
  configVersion: number;
  symbols: number;
  sessions: number;
  /** Criterion → how it was replayed ("every session on the previous close", "on 12 stored 11:00 snapshots", "not replayed: …"). */
  replay: Record<string, string>;
  durationMs: number;
}

type Candidate = RankedIdea & { date: IsoDate; slot: IdeaSlotJob; facts: { close: number; atr: number; rsi: number; squeeze: number } };

/** The daytime slots' stored snapshots in the range, by date (a few on a live history, none on the demo's). */
async function storedSnapshots(days: IsoDate[], slots: IdeaSlotJob[]): Promise<Map<string, { rows: Map<string, DaySoFar & { volume: number }>; share: number }>> {
  const out = new Map<string, { rows: Map<string, DaySoFar & { volume: number }>; share: number }>();
  const keys = days.flatMap((d) => slots.map((s) => [d, s, IDEA_SLOTS[s].time] as const));
  for (let i = 0; i < keys.length; i += 64) {
    const found = await Promise.all(keys.slice(i, i + 64).map(async ([d, s, t]) => [d, s, await readSnapshot(d, t)] as const));
    for (const [d, s, snap] of found) {
      if (!snap) continue;
      out.set(`${d}|${s}`, { rows: new Map([...snap.rows].map(([sym, r]) => [sym, { open: r.open, high: r.high, low: r.low, last: r.last, volume: r.volume, relVolume: 0 }])), share: shareOfDay(snap) });
    }
  }
  return out;
}

/** Every candidate one symbol's history offers (pure): each session's best per slot, with its score. */
export function symbolCandidates(symbol: string, bars: Bar[], from: IsoDate, to: IsoDate, params: IdeaParams, snapshots: ReadonlyMap<string, { rows: ReadonlyMap<string, DaySoFar>; share: number }>): Candidate[] {
  const cols = setupColumns(symbol, bars);
  const out: Candidate[] = [];
  const sector = sectorOf(symbol);
  const one = { ...params, perSlot: 1 };
  for (let i = 1; i < bars.length; i++) {
    const date = bars[i]!.date;
    if (date < from || date > to) continue;
    const setup = setupAt(cols, i - 1); // the previous close: nothing of the idea's own session
    if (!setup) continue;
    const facts = { close: setup.close, atr: setup.atr, rsi: setup.rsi, squeeze: setup.squeeze };
    const pre: IdeaInput = { setup, sector, context: {} };
    for (const r of rankIdeas('pre-market-signals', [pre], one)) out.push({ ...r, date, slot: 'pre-market-signals', facts });
    for (const slot of ['mid-morning-signals', 'late-day-signals'] as const) {
      const snap = snapshots.get(`${date}|${slot}`);
      const t = snap?.rows.get(symbol);
      if (!snap || !t) continue;
      const expected = setup.avgVolume * Math.max(snap.share, 0.02);
      const today = { ...t, relVolume: expected > 0 ? t.volume / expected : 0 };
      for (const r of rankIdeas(slot, [{ setup, sector, today, context: {} }], one)) out.push({ ...r, date, slot, facts });
    }
  }
  return out;
}

/** A slot's ideas from all symbols' candidates (pure): the best `perSlot` of each (date, slot), as rankIdeas orders them. */
export function pickPerSlot(cands: Candidate[], perSlot: number): Candidate[] {
  const groups = new Map<string, Candidate[]>();
  for (const c of cands) {
    const k = `${c.date}|${c.slot}`;
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  const out: Candidate[] = [];
  for (const g of groups.values()) out.push(...g.sort((a, b) => b.score - a.score || (a.symbol < b.symbol ? -1 : 1)).slice(0, perSlot));
  return out;
}

/**
 * The slots' ideas in time order (pure), as live picks them: a criterion does not propose a name again while its
 * earlier idea on it is open (triggered, its horizon not reached, not stopped — as the close before saw it). Only
 * each symbol's best candidate of a slot is known here, so a suppressed best is not replaced by its second best.
 */
export function pickInOrder<C extends Candidate & { outcome: ScoredIdea['outcome'] }>(cands: C[], perSlot: number, calendar: readonly string[]): C[] {
  const at = new Map(calendar.map((d, k) => [d, k]));
  const order = (slot: IdeaSlotJob) => IDEA_SLOTS[slot].time;
  const groups = new Map<string, C[]>();
  for (const c of cands) {
    const k = `${c.date}|${order(c.slot)}`;
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  const openUntil = new Map<string, string>(); // criterion|symbol → the session it closes (or the end of the data)
  const out: C[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const date = g[0]!.date;
    const free = g.filter((c) => (openUntil.get(openKey(c.criterion, c.symbol)) ?? '') < date);
    for (const c of free.sort((a, b) => b.score - a.score || (a.symbol < b.symbol ? -1 : 1)).slice(0, perSlot)) {
      out.push(c);
      const o = c.outcome;
      if (!o || o.state === 'not-triggered' || o.state === 'waiting') continue;
      const k = at.get(c.date);
      const end = o.exit ? o.exit.date : k === undefined ? undefined : calendar[k + c.horizon - 1];
      openUntil.set(openKey(c.criterion, c.symbol), end ?? '9999-12-31');
    }
  }
  return out;
}

export interface IdeaBacktestRequest {
  from: IsoDate;
  to: IsoDate;
  portfolio?: string | undefined;
  version?: number | undefined;
  /** Parameters instead of a stored version's (config simulate's changed set). */
  params?: StrategyParams | undefined;
  symbols?: string[] | undefined;
  /** Loads missing bars first; without one, only stored bars are used. */
  provider?: MarketDataProvider | undefined;
  onProgress?: ((stage: string) => void) | undefined;
}

export async function backtestIdeas(req: IdeaBacktestRequest): Promise<IdeaBacktest> {
  const started = performance.now();
  if (req.from >= req.to) throw new UserFacingError('BAD_RANGE', `--from ${req.from} must be before --to ${req.to}.`);
  const config = req.params ? { version: 0, params: req.params } : req.version === undefined ? await getActiveConfig(req.portfolio ?? MAIN_PORTFOLIO) : await getVersion(req.portfolio ?? MAIN_PORTFOLIO, req.version);
  const checked = validateParams(config.params);
  if (!checked.ok) throw new UserFacingError('INVALID_CONFIG', checked.problems.join('; '));
  const params = ideaParams(checked.params);
  const symbols = req.symbols?.length ? req.symbols : loadUniverse().map((u) => u.symbol);
  const historyFrom = addDays(req.from, -400);
  // Scored forward from stored bars: up to 20 sessions past `to` when they are stored (never fetched from the future).
  const scoreTo = addDays(req.to, 31);
  req.onProgress?.('loading bars');
  if (req.provider) await ensureHistory([...symbols, 'SPX'], historyFrom, req.to, req.provider);
  const spxBars = (await readBars(['SPX'], req.from, scoreTo)).get('SPX') ?? [];
  const spx = new Map<string, Ohlc>(spxBars.map((b) => [b.date, b]));
  const days = tradingDaysBetween(req.from, req.to);
  const daytime = (['mid-morning-signals', 'late-day-signals'] as const).filter((s) => IDEA_CRITERIA.some((c) => c.slot === s && params.criteria.includes(c.id)));
  const snapshots = daytime.length ? await storedSnapshots(days, daytime) : new Map();
  const calendar = tradingDaysBetween(req.from, scoreTo);
  const at = new Map(calendar.map((d, k) => [d, k]));
  req.onProgress?.('replaying the criteria');
  const scored: ScoredIdea[] = [];
  const cands: Array<Candidate & { outcome: ScoredIdea['outcome'] }> = [];
  for await (const [symbol, bars] of streamBars(symbols, historyFrom, scoreTo)) {
    const own = new Map<string, Ohlc>(bars.map((b) => [b.date, b]));
    for (const c of symbolCandidates(symbol, bars, req.from, req.to, params, snapshots)) {
      const k = at.get(c.date);
      const sessions = k === undefined ? [] : calendar.slice(k, k + SCORE_SESSIONS);
      cands.push({ ...c, outcome: scoreIdea(c, sessions, own, spx) });
    }
  }
  for (const c of pickInOrder(cands, params.perSlot, calendar)) {
    scored.push({
      id: `${c.date}|${c.slot}|${c.symbol}`, date: c.date, slot: c.slot, at: IDEA_SLOTS[c.slot].time, symbol: c.symbol, side: c.side, entry: c.entry, stop: c.stop,
      horizon: c.horizon, criterion: c.criterion, criterionVersion: c.criterionVersion, configVersion: config.version, why: c.why, facts: c.facts, outcome: c.outcome,
    });
  }
  const replay: Record<string, string> = {};
  for (const c of IDEA_CRITERIA) {
    if (!params.criteria.includes(c.id)) replay[c.id] = 'not in idea_criteria';
    else if (c.needs === 'previous-close') replay[c.id] = 'every session, on the previous close (as live)';
    else if (c.needs === 'premarket') replay[c.id] = 'not replayed: no source keeps pre-market history';
    else {
      const n = [...snapshots.keys()].filter((k) => k.endsWith(`|${c.slot}`)).length;
      replay[c.id] = n ? `on the ${n} session(s) with a stored ${IDEA_SLOTS[c.slot].time} snapshot` : `not replayed: daily history has no ${IDEA_SLOTS[c.slot].time} snapshot (stored snapshots: none in the range)`;
    }
  }
  const record = recordOf(scored, req.from, req.to, null);
  return { ...record, configVersion: config.version, symbols: symbols.length, sessions: days.length, replay, durationMs: Math.round(performance.now() - started) };
}
