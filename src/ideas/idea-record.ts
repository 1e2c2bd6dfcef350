import { addDays, type IsoDate } from '../calendar/dates.js';
import { nextTradingDay, previousTradingDay, tradingDayOnOrBefore, tradingDaysBetween } from '../calendar/nyse.js';
import { IdeaMonth, IdeaSlot } from '../db/models/ideas.js';
import { UserFacingError } from '../errors.js';
import { readState, withInfoWriter, writeState } from '../info/info-store.js';
import { readBars } from '../market-data/bar-store.js';
import { coveredSymbols, loadUniverse } from '../market-data/universe.js';
import { IDEA_CRITERION_NAMES, IDEA_SLOT_JOBS } from './criteria.js';
import { FINAL_STATE, slotId, slotsOn } from './idea-slots.js';
import { monthOf, monthsBetween, parseIdeas, readMonths, toRecord, type IdeaRecord, type ScoredIdea } from './idea-months.js';

export { monthOf, monthsBetween, openIdeaKeys, type IdeaRecord, type ScoredIdea } from './idea-months.js';
import { ideaStats, scoreIdea, SCORE_SESSIONS, type Idea, type IdeaStats, type Ohlc, type Outcome } from './scoring.js';

/**
 * The track record: after each close, score-ideas scores every idea that is not final from the stored daily bars
 * (scoring.ts says how) and rewrites the months they belong to (`idea_months`, one document a month, `_id`
 * "YYYY-MM"); a bookmark (FINAL_STATE) says through which date every idea is final, so a run reads only the slots
 * after it — about 20 sessions' worth. One writer at a time (the 'ideas' writer lease). /ideas and the stats read
 * the months by `_id`.
 */
async function readSlotIdeas(days: IsoDate[]): Promise<Idea[]> {
  const ids = days.flatMap((d) => IDEA_SLOT_JOBS.map((j) => slotId(d, j)));
  const out: Idea[] = [];
  for (let i = 0; i < ids.length; i += 48) {
    const docs = await Promise.all(ids.slice(i, i + 48).map((id) => IdeaSlot.findById(id, { ideasJson: 1, ideas: 1 }).lean()));
    for (const d of docs) if (d) out.push(...parseIdeas<Idea>(d));
  }
  return out;
}

const toOhlc = (b: { open: number; high: number; low: number; close: number }): Ohlc => ({ open: b.open, high: b.high, low: b.low, close: b.close });

/** Score ideas from bars already read (pure): the same call the backtest makes. */
export function scoreAll(ideas: Idea[], bars: ReadonlyMap<string, ReadonlyMap<string, Ohlc>>, spx: ReadonlyMap<string, Ohlc>, through: IsoDate): ScoredIdea[] {
  const sessionsFrom = new Map<string, string[]>();
  return ideas.map((i) => {
    let sessions = sessionsFrom.get(i.date);
    if (!sessions) {
      sessions = i.date > through ? [] : tradingDaysBetween(i.date, through).slice(0, SCORE_SESSIONS);
      sessionsFrom.set(i.date, sessions);
    }
    return { ...i, outcome: scoreIdea(i, sessions, bars.get(i.symbol) ?? new Map(), spx) };
  });
}

export interface ScoreRun {
  through: IsoDate;
  from: IsoDate | null;
  ideas: number;
  final: number;
  months: string[];
  finalThrough: IsoDate | null;
  /** Ideas of `through` itself, scored: what the day's post shows. */
  today: ScoredIdea[];
  /** Ideas that closed (stop or horizon) on `through`. */
  closedToday: ScoredIdea[];
}

/** How far back a first run (no bookmark yet) looks for slots. */
const FIRST_RUN_DAYS = 60;

/**
 * Score every idea not yet final, through `through`'s close. Idempotent: a rerun recomputes the same outcomes
 * from the same bars; a kill mid-way leaves the bookmark where it was, so the next run redoes the window.
 */
export async function scoreIdeas(through: IsoDate, now = new Date()): Promise<ScoreRun> {
  return withInfoWriter('ideas', async () => {
    const bookmark = await readState<string>(FINAL_STATE);
    const from = bookmark ? nextTradingDay(bookmark) : tradingDayOnOrBefore(addDays(through, -FIRST_RUN_DAYS));
    if (from > through) return { through, from: null, ideas: 0, final: 0, months: [], finalThrough: bookmark ?? null, today: [], closedToday: [] };
    const days = tradingDaysBetween(from, through);
    // The slots and the bars at once (the bars' query costs the same for the universe as for a few names).
    const universe = loadUniverse().map((u) => u.symbol);
    const [ideas, stored] = await Promise.all([readSlotIdeas(days), readBars([...universe, 'SPX'], from, through)]);
    const bars = new Map<string, Map<string, Ohlc>>([...stored].map(([s, list]) => [s, new Map(list.map((b) => [b.date, toOhlc(b)]))]));
    const scored = scoreAll(ideas, bars, bars.get('SPX') ?? new Map(), through);
    // Months: the ideas of this pass replace theirs; earlier final ones stay.
    const byMonth = new Map<string, ScoredIdea[]>();
    for (const i of scored) byMonth.set(monthOf(i.date), [...(byMonth.get(monthOf(i.date)) ?? []), i]);
    const current = await readMonths([...byMonth.keys()]);
    await Promise.all([...byMonth].map(async ([m, fresh]) => {
      const ids = new Set(fresh.map((i) => i.id));
      const kept = (current.get(m) ?? []).filter((i) => !ids.has(i.id) && i.date < from);
      const all = [...kept, ...fresh.map(toRecord)].sort((a, b) => (a.date === b.date ? (a.id < b.id ? -1 : 1) : a.date < b.date ? -1 : 1));
      await IdeaMonth.replaceOne({ _id: m }, { _id: m, ideasJson: JSON.stringify(all), scoredThrough: through, at: now }, { upsert: true });
    }));
    // The bookmark moves to the last day whose ideas are all final, and never within the last 20 sessions
    // (a slot run late for such a day is still scored).
    const open = new Set(scored.filter((i) => !i.outcome?.final).map((i) => i.date));
    const settled = days.length > SCORE_SESSIONS ? days[days.length - 1 - SCORE_SESSIONS]! : null;
    let finalThrough = bookmark ?? null;
    for (const d of days) {
      if (settled === null || d > settled || open.has(d)) break;
      finalThrough = d;
    }
    if (finalThrough && finalThrough !== bookmark) await writeState(FINAL_STATE, finalThrough, now);
    return {
      through, from, ideas: scored.length, final: scored.filter((i) => i.outcome?.final).length, months: [...byMonth.keys()], finalThrough,
      today: scored.filter((i) => i.date === through), closedToday: scored.filter((i) => i.outcome?.state === 'closed' && closedOn(i) === through),
    };
  });
}

/** The session an idea closed on: its stop's, or its horizon's (the idea's session is session 1). */
export function closedOn(i: ScoredIdea): IsoDate | null {
  const o = i.outcome;
  if (!o || o.state !== 'closed') return null;
  if (o.exit) return o.exit.date;
  return tradingDaysBetween(i.date, addDays(i.date, 40))[i.horizon - 1] ?? null;
}

// ── Reads ───────────────────────────────────────────────────────────────────────────────────────────────

/** Ideas of one date with their outcome so far (null: not scored yet). */
export async function ideasOn(date: IsoDate): Promise<{ date: IsoDate; slots: Array<{ job: string; at: string; basis: string; ideas: ScoredIdea[] }> }> {
  const [slots, months] = await Promise.all([slotsOn(date), readMonths([monthOf(date)])]);
  const outcomes = new Map((months.get(monthOf(date)) ?? []).map((i) => [i.id, i.outcome]));
  return { date, slots: slots.map((s) => ({ job: s.job, at: s.at, basis: s.basis.text, ideas: s.ideas.map((i) => ({ ...i, outcome: outcomes.get(i.id) ?? null })) })) };
}

/** The latest date with ideas on or before `today` (looks back 10 sessions), or `today`. */
export async function latestIdeaDate(today: IsoDate): Promise<IsoDate> {
  let d = tradingDayOnOrBefore(today);
  for (let k = 0; k < 10; k++, d = previousTradingDay(d)) if ((await slotsOn(d)).some((s) => s.ideas.length)) return d;
  return tradingDayOnOrBefore(today);
}

/** One symbol's ideas over the past year, newest first, with their outcomes so far. */
export async function ideasFor(symbol: string, today: IsoDate): Promise<{ symbol: string; ideas: IdeaRecord[] }> {
  const sym = symbol.toUpperCase();
  if (!coveredSymbols().has(sym)) {
    throw new UserFacingError('UNKNOWN_SYMBOL', `"${symbol}" is not a date (YYYY-MM-DD) or a symbol of the universe; give one of the ${loadUniverse().length} universe symbols (AAPL, MSFT, …) or a date.`);
  }
  const months = await readMonths(monthsBetween(addDays(today, -365), today));
  const seen = new Set<string>();
  const out: IdeaRecord[] = [];
  for (const list of months.values()) for (const i of list) if (i.symbol === sym) { out.push(i); seen.add(i.id); }
  // Today's ideas are not scored before the close.
  for (const s of await slotsOn(tradingDayOnOrBefore(today))) for (const i of s.ideas) if (i.symbol === sym && !seen.has(i.id)) out.push({ ...i, outcome: null });
  return { symbol: sym, ideas: out.sort((a, b) => (a.id < b.id ? 1 : -1)) };
}

export interface CriterionRecord extends IdeaStats {
  criterion: string;
}

export interface IdeaStatsView {
  since: IsoDate;
  through: IsoDate;
  criterion: string | null;
  /** Ideas counted (of the criterion asked for, or all). */
  count: number;
  overall: IdeaStats;
  criteria: CriterionRecord[];
}

export function requireCriterion(c: string): string {
  if (!(IDEA_CRITERION_NAMES as string[]).includes(c)) throw new UserFacingError('UNKNOWN_CRITERION', `"${c}" is not an idea criterion; criteria: ${IDEA_CRITERION_NAMES.join(', ')}.`);
  return c;
}

/** The record per criterion (pure): the statistics of each, and of all together. */
export function recordOf(ideas: IdeaRecord[], since: IsoDate, through: IsoDate, criterion: string | null): IdeaStatsView {
  const chosen = ideas.filter((i) => i.date >= since && i.date <= through && (criterion === null || i.criterion === criterion));
  const names = criterion ? [criterion] : IDEA_CRITERION_NAMES.filter((c) => chosen.some((i) => i.criterion === c));
  return { since, through, criterion, count: chosen.length, overall: ideaStats(chosen), criteria: names.map((c) => ({ criterion: c, ...ideaStats(chosen.filter((i) => i.criterion === c)) })) };
}

/** `/ideas stats`: the record since a date (default: a year back), per criterion, from the scored months. */
export async function ideaStatsSince(opts: { today: IsoDate; since?: IsoDate | undefined; criterion?: string | undefined }): Promise<IdeaStatsView> {
  const criterion = opts.criterion ? requireCriterion(opts.criterion) : null;
  const since = opts.since ?? addDays(opts.today, -365);
  if (since > opts.today) throw new UserFacingError('BAD_RANGE', `since ${since} is after today (${opts.today}); give a date on or before it.`);
  return recordOf(await recordsBetween(since, opts.today), since, opts.today, criterion);
}

/** The scored ideas of the months from `since` to `today` (each month by `_id`): recordOf picks the dates. */
export async function recordsBetween(since: IsoDate, today: IsoDate): Promise<IdeaRecord[]> {
  return [...(await readMonths(monthsBetween(since, today))).values()].flat();
}
