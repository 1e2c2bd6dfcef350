import type { Horizon, IdeaSlotJob, Side } from './criteria.js';

/**
 * How an idea did, from daily bars (pure). The rules (docs/strategy.md, "Scoring"):
 * - The entry is a stop order good for the idea's own session only. A long triggers when the session's high
 *   reaches the entry; it fills at the entry, or at the open when the session opens through it (a 09:00 idea).
 *   Shorts mirror every rule.
 * - A daily bar does not say whether its high or its low came first. When the entry session also reaches the
 *   stop, the idea is counted as stopped at the stop: the conservative reading, never the kind one.
 * - On later sessions the stop exits at the stop, or at the open when the session opens through it (a gap
 *   through the stop costs what it costs).
 * - Returns at 1, 5 and 20 sessions (the idea's session is session 1): to that session's close, or to the exit
 *   if the stop came first. SPX over the same sessions: its open of session 1 to its close of session h.
 * - An idea is final when its 20th session is known, or when it never triggered.
 */
export interface IdeaFacts {
  close: number;
  atr: number;
  rsi: number;
  squeeze: number;
  gap?: number | undefined;
  move?: number | undefined;
  relVolume?: number | undefined;
  sentiment?: number | undefined;
  news?: number | undefined;
  earningsInDays?: number | undefined;
  sectorMove?: number | undefined;
}

export interface Idea {
  /** date|slot job|symbol: one idea per symbol and slot. */
  id: string;
  date: string;
  slot: IdeaSlotJob;
  /** The New York time the idea stands for. */
  at: string;
  symbol: string;
  side: Side;
  entry: number;
  stop: number;
  horizon: Horizon;
  criterion: string;
  criterionVersion: number;
  configVersion: number;
  why: string;
  facts: IdeaFacts;
}

export type IdeaState = 'waiting' | 'not-triggered' | 'open' | 'closed';

export interface Outcome {
  state: IdeaState;
  fill: number | null;
  exit: { date: string; price: number; reason: 'stop' | 'gap-through-stop' } | null;
  /** Return at 1, 5 and 20 sessions (null until known, or when never triggered). */
  r1: number | null;
  r5: number | null;
  r20: number | null;
  spx1: number | null;
  spx5: number | null;
  spx20: number | null;
  /** The return at the idea's own horizon, and that minus SPX's. */
  result: number | null;
  excess: number | null;
  final: boolean;
  /** The last session whose bar was read. */
  scoredThrough: string | null;
}

export type Ohlc = { open: number; high: number; low: number; close: number };
export const SCORE_SESSIONS = 20;

const EMPTY: Omit<Outcome, 'state' | 'final' | 'scoredThrough'> = { fill: null, exit: null, r1: null, r5: null, r20: null, spx1: null, spx5: null, spx20: null, result: null, excess: null };

/**
 * Score one idea. `sessions`: the trading days from the idea's date on (at least 20 when known); `bars`: the
 * symbol's bars by date; `spx`: the benchmark's.
 */
export function scoreIdea(idea: Pick<Idea, 'side' | 'entry' | 'stop' | 'horizon'>, sessions: readonly string[], bars: ReadonlyMap<string, Ohlc>, spx: ReadonlyMap<string, Ohlc>): Outcome {
  const day0 = sessions[0] === undefined ? undefined : bars.get(sessions[0]);
  if (!day0) return { ...EMPTY, state: 'waiting', final: false, scoredThrough: null };
  const long = idea.side === 'long';
  const s = long ? 1 : -1;
  const reached = (b: Ohlc, level: number) => (long ? b.high >= level : b.low <= level);
  const through = (price: number, level: number) => (long ? price <= level : price >= level); // at or past the stop
  if (!reached(day0, idea.entry)) return { ...EMPTY, state: 'not-triggered', final: true, scoredThrough: sessions[0]! };
  const fill = (long ? day0.open >= idea.entry : day0.open <= idea.entry) ? day0.open : idea.entry;
  let exit: Outcome['exit'] = null;
  let exitAt = -1;
  // The entry session: reaching the stop too counts as stopped (which came first is unknown).
  if (long ? day0.low <= idea.stop : day0.high >= idea.stop) {
    exit = { date: sessions[0]!, price: idea.stop, reason: 'stop' };
    exitAt = 0;
  }
  let known = 1;
  for (let k = 1; k < Math.min(SCORE_SESSIONS, sessions.length) && !exit; k++) {
    const b = bars.get(sessions[k]!);
    if (!b) break;
    known = k + 1;
    if (through(b.open, idea.stop)) {
      exit = { date: sessions[k]!, price: b.open, reason: 'gap-through-stop' };
      exitAt = k;
    } else if (long ? b.low <= idea.stop : b.high >= idea.stop) {
      exit = { date: sessions[k]!, price: idea.stop, reason: 'stop' };
      exitAt = k;
    }
  }
  // After an exit the later returns are the exit's: known as far as the sessions go.
  if (exit) known = SCORE_SESSIONS;
  const ret = (h: number): number | null => {
    if (exit && exitAt <= h - 1) return s * (exit.price / fill - 1);
    if (h > known) return null;
    const b = bars.get(sessions[h - 1]!);
    return b ? s * (b.close / fill - 1) : null;
  };
  const spx0 = spx.get(sessions[0]!);
  const spxAt = (h: number): number | null => {
    const d = sessions[h - 1];
    const b = d === undefined ? undefined : spx.get(d);
    return spx0 && b ? b.close / spx0.open - 1 : null;
  };
  const r1 = ret(1);
  const r5 = ret(5);
  const r20 = ret(20);
  const spx1 = spxAt(1);
  const spx5 = spxAt(5);
  const spx20 = spxAt(20);
  const result = idea.horizon === 1 ? r1 : idea.horizon === 5 ? r5 : r20;
  const spxResult = idea.horizon === 1 ? spx1 : idea.horizon === 5 ? spx5 : spx20;
  const lastRead = exit ? exit.date : sessions[Math.min(known, sessions.length) - 1]!;
  return {
    state: result === null ? 'open' : 'closed', fill, exit, r1, r5, r20, spx1, spx5, spx20, result,
    excess: result === null || spxResult === null ? null : result - spxResult,
    // Final once the 20th session is known — and SPX's too, unless SPX has no bar for the idea's session at all.
    final: r20 !== null && (spx20 !== null || !spx0), scoredThrough: lastRead,
  };
}

export interface Extreme {
  id: string;
  symbol: string;
  date: string;
  return: number;
}

export interface IdeaStats {
  count: number;
  triggered: number;
  notTriggered: number;
  waiting: number;
  open: number;
  /** Triggered ideas whose own horizon (or stop) is reached. */
  scored: number;
  hits: number;
  /** hits / scored (null with nothing scored). */
  hitRate: number | null;
  stopped: number;
  avgReturn: number | null;
  avgSpx: number | null;
  /** The average of (return − SPX over the same sessions), over the `withSpx` scored ideas whose SPX sessions are known. */
  avgExcess: number | null;
  withSpx: number;
  /** $1,000 in every scored idea: the profit or loss of each rounded to the cent, their total and average. */
  pnlPer1000: number;
  avgPnlPer1000: number | null;
  best: Extreme | null;
  worst: Extreme | null;
}

const cents = (x: number) => Math.round(x * 100) / 100;

/** The record of a set of scored ideas (pure). */
export function ideaStats(ideas: ReadonlyArray<Pick<Idea, 'id' | 'symbol' | 'date' | 'horizon'> & { outcome?: Outcome | null | undefined }>): IdeaStats {
  let triggered = 0;
  let notTriggered = 0;
  let waiting = 0;
  let open = 0;
  let scored = 0;
  let hits = 0;
  let stopped = 0;
  let sumR = 0;
  let sumSpx = 0;
  let nSpx = 0;
  let sumExcess = 0;
  let nExcess = 0;
  let pnl = 0;
  let best: Extreme | null = null;
  let worst: Extreme | null = null;
  for (const i of ideas) {
    const o = i.outcome;
    if (!o || o.state === 'waiting') {
      waiting++;
      continue;
    }
    if (o.state === 'not-triggered') {
      notTriggered++;
      continue;
    }
    triggered++;
    if (o.exit) stopped++;
    if (o.result === null) {
      open++;
      continue;
    }
    scored++;
    if (o.result > 0) hits++;
    sumR += o.result;
    pnl += cents(1000 * o.result);
    const spx = i.horizon === 1 ? o.spx1 : i.horizon === 5 ? o.spx5 : o.spx20;
    if (spx !== null) {
      sumSpx += spx;
      nSpx++;
    }
    if (o.excess !== null) {
      sumExcess += o.excess;
      nExcess++;
    }
    const e = { id: i.id, symbol: i.symbol, date: i.date, return: o.result };
    if (!best || o.result > best.return) best = e;
    if (!worst || o.result < worst.return) worst = e;
  }
  return {
    count: ideas.length, triggered, notTriggered, waiting, open, scored, hits, hitRate: scored ? hits / scored : null, stopped,
    avgReturn: scored ? sumR / scored : null, avgSpx: nSpx ? sumSpx / nSpx : null, avgExcess: nExcess ? sumExcess / nExcess : null, withSpx: nExcess,
    pnlPer1000: cents(pnl), avgPnlPer1000: scored ? cents(pnl / scored) : null, best, worst,
  };
}
