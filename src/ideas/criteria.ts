import type { Setup } from './features.js';

/**
 * The entry criteria, as pure functions of what is known at their slot's time: the previous close (`setup`),
 * the pre-market's last trade (09:00, where a provider serves one) or the day so far (11:00 and 14:30, the
 * slot's snapshot), and the news and earnings dates known by then. Each criterion has a name and a version
 * (a change of its rule is a new version, and the record says which version made each idea); which criteria
 * run and their thresholds are keys of the config (`idea_*`), versioned, confirmed and audited like any other.
 *
 * Every idea is a stop order: a long enters when the price trades at or above `entry` (a short at or below),
 * and is proven wrong at `stop`. A daytime idea's entry lies beyond the day's range so far and its stop beyond
 * the other side of it, so a daily bar can tell whether either was touched after the slot (docs/strategy.md).
 */
export type IdeaSlotJob = 'pre-market-signals' | 'mid-morning-signals' | 'late-day-signals';
export type Side = 'long' | 'short';
export type Horizon = 1 | 5 | 20;

/** The day so far from the slot's snapshot; `relVolume` against what a usual day has traded by then. */
export interface DaySoFar {
  open: number;
  high: number;
  low: number;
  last: number;
  volume: number;
  relVolume: number;
}

export interface IdeaContext {
  /** Articles on the name published by the slot's time, with the providers' sentiment labels counted. */
  news?: { count: number; positive: number; negative: number } | undefined;
  /** Calendar days to the next known earnings report (within two weeks). */
  earningsInDays?: number | undefined;
  /** The average move of the name's sector: the day so far (daytime), else its last session. */
  sectorMove?: number | undefined;
}

export interface IdeaInput {
  setup: Setup;
  sector: string;
  /** 09:00 with a pre-market snapshot: the last pre-market trade. */
  premarket?: { last: number } | undefined;
  /** 11:00 and 14:30: the day so far. */
  today?: DaySoFar | undefined;
  context: IdeaContext;
}

/** The config's idea keys, as the criteria read them. */
export interface IdeaParams {
  criteria: readonly string[];
  perSlot: number;
  sides: 'long' | 'both';
  stopAtr: number;
  minGapPct: number;
  minRelVolume: number;
}

export interface Candidate {
  side: Side;
  entry: number;
  stop: number;
  /** Orders a slot's candidates (higher first). */
  score: number;
  /** One line: why this is an entry, in a trader's words. */
  why: string;
}

export interface IdeaCriterion {
  id: string;
  version: number;
  slot: IdeaSlotJob;
  /** What it reads beside the previous close. */
  needs: 'previous-close' | 'premarket' | 'day-so-far';
  horizon: Horizon;
  title: string;
  /** The rule, for posts and docs/strategy.md. */
  rule: string;
  evaluate(x: IdeaInput, p: IdeaParams): Candidate | undefined;
}

const TICK = 0.01;
const up = (x: number) => Math.round((x + TICK) * 100) / 100;
const down = (x: number) => Math.round((x - TICK) * 100) / 100;
const round2 = (x: number) => Math.round(x * 100) / 100;
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** A day's news leaning: (positive − negative) / articles, 0 without news. */
export function sentimentOf(c: IdeaContext): number {
  return c.news && c.news.count ? (c.news.positive - c.news.negative) / c.news.count : 0;
}

/** Where the last price sits in the day's range so far (0 = the low, 1 = the high). */
function placeInRange(t: DaySoFar): number {
  return t.high > t.low ? (t.last - t.low) / (t.high - t.low) : 0.5;
}

/** A daytime stop order: beyond the range so far; the stop beyond its other side, or k ATR away if that is further. */
function daytime(side: Side, t: DaySoFar, atr: number, k: number): { entry: number; stop: number } {
  if (side === 'long') {
    const entry = up(t.high);
    return { entry, stop: round2(Math.min(down(t.low), entry - k * atr)) };
  }
  const entry = down(t.low);
  return { entry, stop: round2(Math.max(up(t.high), entry + k * atr)) };
}

const reportsSoon = (c: IdeaContext) => c.earningsInDays !== undefined && c.earningsInDays <= 1;

export const IDEA_CRITERIA: readonly IdeaCriterion[] = [
  {
    id: 'premarket-gap', version: 1, slot: 'pre-market-signals', needs: 'premarket', horizon: 1,
    title: 'Pre-market gap that holds',
    rule: 'The pre-market trades at least idea_min_gap_pct away from the previous close. Long: entry one cent above the higher of the pre-market price and the previous high; stop at the previous close (the gap filled) or idea_stop_atr ATR below the entry, whichever is nearer. Shorts mirror it when idea_sides=both. Horizon: the day.',
    evaluate(x, p) {
      if (!x.premarket) return undefined;
      const s = x.setup;
      const gap = x.premarket.last / s.close - 1;
      if (Math.abs(gap) < p.minGapPct / 100) return undefined;
      const score = Math.abs(gap) / (s.atr / s.close);
      if (gap > 0) {
        const entry = up(Math.max(x.premarket.last, s.high));
        return { side: 'long', entry, stop: round2(Math.max(s.close, entry - p.stopAtr * s.atr)), score, why: `gap ${pct(gap)} before the open (${x.premarket.last.toFixed(2)} vs ${s.close.toFixed(2)})` };
      }
      const entry = down(Math.min(x.premarket.last, s.low));
      return { side: 'short', entry, stop: round2(Math.min(s.close, entry + p.stopAtr * s.atr)), score, why: `gap ${pct(gap)} before the open (${x.premarket.last.toFixed(2)} vs ${s.close.toFixed(2)})` };
    },
  },
  {
    id: 'breakout-setup', version: 1, slot: 'pre-market-signals', needs: 'previous-close', horizon: 20,
    title: 'Closing near a 52-week high, trending',
    rule: 'The previous close is within 2% of the highest close of the past 252 sessions, above its 50-day average, with a positive 20-day return. Long: entry one cent above the higher of the previous high and that 52-week high; stop idea_stop_atr ATR below the entry. Horizon: 20 sessions.',
    evaluate(x, p) {
      const s = x.setup;
      if (!(s.close >= 0.98 * s.high252 && s.close > s.sma50 && s.ret20 > 0)) return undefined;
      const entry = up(Math.max(s.high, s.high252));
      return { side: 'long', entry, stop: round2(entry - p.stopAtr * s.atr), score: s.ret20 / (s.atr / s.close), why: `close ${s.close.toFixed(2)} ${s.close >= s.high252 ? `a new 52-week closing high (the last was ${s.high252.toFixed(2)})` : `within ${((1 - s.close / s.high252) * 100).toFixed(1)}% of the 52-week high ${s.high252.toFixed(2)}`}, 20d ${pct(s.ret20)}` };
    },
  },
  {
    id: 'oversold-bounce', version: 1, slot: 'pre-market-signals', needs: 'previous-close', horizon: 5,
    title: 'Oversold, waiting for a turn',
    rule: 'RSI (14) at the previous close is 30 or below. Long: entry one cent above the previous high (the turn confirmed); stop one cent under the previous low or idea_stop_atr ATR below the entry, whichever is nearer. Horizon: 5 sessions.',
    evaluate(x, p) {
      const s = x.setup;
      if (s.rsi > 30) return undefined;
      const entry = up(s.high);
      return { side: 'long', entry, stop: round2(Math.max(down(s.low), entry - p.stopAtr * s.atr)), score: (30 - s.rsi) / 10 + 1, why: `RSI ${s.rsi.toFixed(1)} at the close, entry on a move above the previous high` };
    },
  },
  {
    id: 'volume-surge', version: 1, slot: 'mid-morning-signals', needs: 'day-so-far', horizon: 1,
    title: 'Moving on heavy volume, holding the move',
    rule: 'By 11:00 the name is at least 1% from the previous close on at least idea_min_rel_volume times the volume a usual day has traded by then, in the top third of its range so far (a long), with no net-negative news and no earnings report today or tomorrow. Entry one cent above the high so far; stop one cent under the low so far or idea_stop_atr ATR below the entry, whichever is further. Shorts mirror it. Horizon: the day.',
    evaluate(x, p) {
      const t = x.today;
      if (!t || reportsSoon(x.context)) return undefined;
      const s = x.setup;
      const move = t.last / s.close - 1;
      if (Math.abs(move) < 0.01 || t.relVolume < p.minRelVolume) return undefined;
      const side: Side = move > 0 ? 'long' : 'short';
      const place = placeInRange(t);
      const sentiment = sentimentOf(x.context);
      if (side === 'long' ? place < 2 / 3 || sentiment < 0 : place > 1 / 3 || sentiment > 0) return undefined;
      return { side, ...daytime(side, t, s.atr, p.stopAtr), score: t.relVolume * (Math.abs(move) / (s.atr / s.close)), why: `${pct(move)} on ${t.relVolume.toFixed(1)}× usual volume, ${side === 'long' ? 'near the high' : 'near the low'} of the day` };
    },
  },
  {
    id: 'squeeze-release', version: 1, slot: 'mid-morning-signals', needs: 'day-so-far', horizon: 5,
    title: 'Bollinger squeeze breaking out',
    rule: 'At the previous close the Bollinger (20, 2) width was among the narrowest 10% of 120 sessions; by 11:00 the name has moved at least half an ATR from that close on at least usual volume. Entry one cent beyond the range so far in the move\'s direction; stop beyond its other side or idea_stop_atr ATR away, whichever is further. Shorts when idea_sides=both. Horizon: 5 sessions.',
    evaluate(x, p) {
      const t = x.today;
      const s = x.setup;
      if (!t || s.squeeze > 0.1 || t.relVolume < 1) return undefined;
      const move = t.last - s.close;
      if (Math.abs(move) < 0.5 * s.atr) return undefined;
      const side: Side = move > 0 ? 'long' : 'short';
      return { side, ...daytime(side, t, s.atr, p.stopAtr), score: Math.abs(move) / s.atr + (0.1 - s.squeeze) * 10, why: `bands among the narrowest ${Math.max(1, Math.round(s.squeeze * 100))}% of 120 sessions, now ${(move / s.atr).toFixed(1)} ATR from the close` };
    },
  },
  {
    id: 'trend-into-close', version: 1, slot: 'late-day-signals', needs: 'day-so-far', horizon: 5,
    title: 'Trend day into the close',
    rule: 'By 14:30 (12:30 on early-close days) the name is at least 1% from the previous close, in the top fifth of its range so far (a long), on at least usual volume, with the previous close above its 20-day average and that above the 50-day. Entry one cent above the high so far; stop one cent under the low so far or idea_stop_atr ATR below, whichever is further. Shorts mirror it. Horizon: 5 sessions.',
    evaluate(x, p) {
      const t = x.today;
      if (!t) return undefined;
      const s = x.setup;
      const move = t.last / s.close - 1;
      if (Math.abs(move) < 0.01 || t.relVolume < 1) return undefined;
      const side: Side = move > 0 ? 'long' : 'short';
      const place = placeInRange(t);
      const trend = side === 'long' ? s.close > s.sma20 && s.sma20 > s.sma50 : s.close < s.sma20 && s.sma20 < s.sma50;
      if (!trend || (side === 'long' ? place < 0.8 : place > 0.2)) return undefined;
      return { side, ...daytime(side, t, s.atr, p.stopAtr), score: (Math.abs(move) / (s.atr / s.close)) * Math.min(3, t.relVolume), why: `${pct(move)} and ${side === 'long' ? 'at the highs' : 'at the lows'} of the day, in a ${side === 'long' ? 'rising' : 'falling'} 20/50-day trend` };
    },
  },
];

export const IDEA_CRITERION_NAMES = IDEA_CRITERIA.map((c) => c.id);

export function criterionNamed(id: string): IdeaCriterion | undefined {
  return IDEA_CRITERIA.find((c) => c.id === id);
}

/** The time of day each slot stands for (New York), and on NYSE early-close days (13:00 close). */
export const IDEA_SLOTS: Readonly<Record<IdeaSlotJob, { time: string; earlyTime?: string; title: string }>> = {
  'pre-market-signals': { time: '09:00', title: 'Pre-market entry ideas' },
  'mid-morning-signals': { time: '11:00', title: 'Mid-morning entry ideas' },
  'late-day-signals': { time: '14:30', earlyTime: '12:30', title: 'Late-day entry ideas' },
};
export const IDEA_SLOT_JOBS = Object.keys(IDEA_SLOTS) as IdeaSlotJob[];

export interface RankedIdea extends Candidate {
  symbol: string;
  criterion: string;
  criterionVersion: number;
  horizon: Horizon;
}

/** The key of a criterion's idea on a symbol: a name with such an idea still open is not proposed it again. */
export const openKey = (criterion: string, symbol: string) => `${criterion}|${symbol}`;

/**
 * A slot's ideas (pure): each enabled criterion of the slot over every input, shorts only when allowed, one idea
 * per symbol (its best), the best `perSlot` by score. `open`: criterion|symbol pairs whose earlier idea triggered
 * and is still running (within its horizon, not stopped): that criterion does not propose the name again meanwhile.
 */
export function rankIdeas(slot: IdeaSlotJob, inputs: Iterable<IdeaInput>, p: IdeaParams, open: ReadonlySet<string> = new Set()): RankedIdea[] {
  const criteria = IDEA_CRITERIA.filter((c) => c.slot === slot && p.criteria.includes(c.id));
  const best = new Map<string, RankedIdea>();
  for (const x of inputs) {
    for (const c of criteria) {
      const cand = c.evaluate(x, p);
      if (!cand || (cand.side === 'short' && p.sides !== 'both') || open.has(openKey(c.id, x.setup.symbol))) continue;
      if (!(cand.side === 'long' ? cand.stop < cand.entry : cand.stop > cand.entry)) continue;
      const cur = best.get(x.setup.symbol);
      if (!cur || cand.score > cur.score) best.set(x.setup.symbol, { ...cand, symbol: x.setup.symbol, criterion: c.id, criterionVersion: c.version, horizon: c.horizon });
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score || (a.symbol < b.symbol ? -1 : 1)).slice(0, p.perSlot);
}
