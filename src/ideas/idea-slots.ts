import type { IsoDate } from '../calendar/dates.js';
import { isEarlyClose, isTradingDay, closureReason, previousTradingDay } from '../calendar/nyse.js';
import type { Env } from '../config/env.js';
import { isDuplicateKey } from '../db/connection.js';
import { IdeaSlot } from '../db/models/ideas.js';
import { UserFacingError } from '../errors.js';
import { reportsSoon } from '../info/earnings-soon.js';
import { dayCounts, withInfoWriter, readState, writeState } from '../info/info-store.js';
import { lastBarDates } from '../market-data/bar-store.js';
import { fetchMarketData } from '../market-data/fetch-service.js';
import { providerFor } from '../market-data/providers.js';
import { describeSnapshot, shareOfDay, slotInstant, snapshotFor } from '../market-data/snapshot-store.js';
import { loadUniverse, sectorOf } from '../market-data/universe.js';
import { MAIN_PORTFOLIO } from '../portfolio/portfolios.js';
import type { StrategyParams } from '../strategy/config-schema.js';
import { configForDate } from '../strategy/config-versions.js';
import { worldSources } from '../world/world-sources.js';
import { IDEA_SLOTS, IDEA_SLOT_JOBS, criterionNamed, rankIdeas, sentimentOf, type DaySoFar, type IdeaInput, type IdeaParams, type IdeaSlotJob } from './criteria.js';
import type { Setup } from './features.js';
import { setupsThrough } from './setup-store.js';
import { openIdeaKeys, parseIdeas } from './idea-months.js';
import type { Idea } from './scoring.js';

/**
 * A slot's entry ideas (09:00, 11:00, 14:30): built from what was known at the slot's time — the previous close,
 * plus the pre-market's trades by 09:00 or the slot's snapshot of the day so far —, stored once per (date, slot)
 * by unique insert, and what the slot's post shows. A second worker, a retry or a forced re-run reads the stored
 * slot: the ideas that were posted are the ones scored, never a recomputed set.
 */
export interface IdeaBasis {
  kind: 'premarket' | 'previous-close' | 'day-so-far' | 'none';
  /** In a reader's words: what the ideas were built on, or why there are none. */
  text: string;
}

export interface IdeaSlotView {
  id: string;
  date: IsoDate;
  job: IdeaSlotJob;
  at: string;
  basis: IdeaBasis;
  configVersion: number;
  ideas: Idea[];
  /** Names with enough history that the criteria looked at. */
  considered: number;
  created: boolean;
}

export const slotId = (date: IsoDate, job: string) => `${date}|${job}`;

/** Every idea on or before this date is final (score-ideas' bookmark); a new slot for an earlier date moves it back. */
export const FINAL_STATE = 'ideas:final-through';

export function requireSlotJob(job: string): IdeaSlotJob {
  if (!(IDEA_SLOT_JOBS as string[]).includes(job)) throw new UserFacingError('UNKNOWN_SLOT', `"${job}" is not an idea slot; slots: ${IDEA_SLOT_JOBS.join(', ')}.`);
  return job as IdeaSlotJob;
}

/** The New York time a slot stands for on `date` (14:30 is 12:30 on an early-close day). */
export function slotTime(job: IdeaSlotJob, date: IsoDate): string {
  const s = IDEA_SLOTS[job];
  return isEarlyClose(date) && s.earlyTime ? s.earlyTime : s.time;
}

export function ideaParams(p: StrategyParams): IdeaParams {
  return { criteria: p.idea_criteria, perSlot: p.ideas_per_slot, sides: p.idea_sides, stopAtr: p.idea_stop_atr, minGapPct: p.idea_min_gap_pct, minRelVolume: p.idea_min_rel_volume };
}

function toView(d: { _id: string; date: string; job: string; at: string; basis: unknown; configVersion: number; ideasJson?: string | null; considered: number }, created: boolean): IdeaSlotView {
  return { id: d._id, date: d.date, job: d.job as IdeaSlotJob, at: d.at, basis: d.basis as IdeaBasis, configVersion: d.configVersion, ideas: parseIdeas<Idea>(d), considered: d.considered, created };
}

/** A stored slot, by `_id`. */
export async function readSlot(date: IsoDate, job: IdeaSlotJob): Promise<IdeaSlotView | undefined> {
  const d = await IdeaSlot.findById(slotId(date, job)).lean();
  return d ? toView(d, false) : undefined;
}

/** The slots of a date that exist (three `_id` lookups). */
export async function slotsOn(date: IsoDate): Promise<IdeaSlotView[]> {
  return (await Promise.all(IDEA_SLOT_JOBS.map((j) => readSlot(date, j)))).filter((s): s is IdeaSlotView => s !== undefined);
}

const round = (x: number, dp = 4) => Math.round(x * 10 ** dp) / 10 ** dp;

/** What the slot sees of today beside the previous close: the pre-market's last trades, the day so far, or nothing (and why). */
async function todaysView(env: Env, date: IsoDate, job: IdeaSlotJob, at: string, symbols: string[], params: IdeaParams, now: Date, through: IsoDate): Promise<{ basis: IdeaBasis; premarket?: Map<string, number>; today?: Map<string, { open: number; high: number; low: number; last: number; volume: number }>; share?: number }> {
  if (job === 'pre-market-signals') {
    if (!params.criteria.includes('premarket-gap')) return { basis: { kind: 'previous-close', text: `on the previous close (${through}); premarket-gap is not among idea_criteria` } };
    const pre = await worldSources(env).premarket(symbols, slotInstant(date, '04:00'), slotInstant(date, at)).catch((err: unknown) => ({ movers: [], note: (err as Error).message.slice(0, 160) }));
    if (pre.movers.length) {
      return { basis: { kind: 'premarket', text: `on the previous close (${through}) and the pre-market's last trades by ${at}${pre.note ? ` (${pre.note})` : ''}` }, premarket: new Map(pre.movers.map((m) => [m.symbol, m.last])) };
    }
    return { basis: { kind: 'previous-close', text: `on the previous close (${through}) only: no pre-market trades to read (${pre.note ?? 'none by then'}), so no premarket-gap ideas` } };
  }
  const snap = await snapshotFor({ date, slot: at, symbols, provider: providerFor(env), now });
  if (!snap.ok) return { basis: { kind: 'none', text: `no ideas: the day so far is not available (${snap.reason}); these criteria need it` } };
  return { basis: { kind: 'day-so-far', text: `on the previous close (${through}) and the day so far, ${describeSnapshot(snap.snapshot)}` }, today: new Map([...snap.snapshot.rows].map(([s, r]) => [s, r])), share: shareOfDay(snap.snapshot) };
}

/** Compute a slot's ideas from the store and the providers (no writes but the bars a scan would fetch too). */
export async function buildSlot(env: Env, date: IsoDate, job: IdeaSlotJob, now: Date): Promise<Omit<IdeaSlotView, 'created' | 'id'>> {
  if (!isTradingDay(date)) throw new UserFacingError('MARKET_CLOSED', `No ideas for ${date}: the market is closed (${closureReason(date)}).`);
  const at = slotTime(job, date);
  const config = await configForDate(MAIN_PORTFOLIO, date);
  const params = ideaParams(config.params);
  const through = previousTradingDay(date);
  const symbols = loadUniverse().map((u) => u.symbol);
  const criteria = params.criteria.filter((c) => criterionNamed(c)?.slot === job);
  if (criteria.length === 0) return { date, job, at, basis: { kind: 'none', text: `no ideas: none of this slot's criteria is in idea_criteria (config v${config.version})` }, configVersion: config.version, ideas: [], considered: 0 };
  // The previous close must be stored (the 16:35 fetch and the 06:30 scan store it): fetch only what is missing.
  const stored = await lastBarDates(symbols);
  if (symbols.some((s) => (stored.get(s) ?? '') < through)) await fetchMarketData({ date: through, symbols, provider: providerFor(env) });
  const view = await todaysView(env, date, job, at, symbols, params, now, through);
  if (view.basis.kind === 'none') return { date, job, at, basis: view.basis, configVersion: config.version, ideas: [], considered: 0 };
  const asOf = slotInstant(date, at);
  const [news, soon, setups, open] = await Promise.all([
    dayCounts(date, asOf).catch(() => ({ bySymbol: new Map() })),
    reportsSoon(symbols, date).catch(() => new Map<string, number>()),
    setupsThrough(through, symbols, now),
    openIdeaKeys(date),
  ]);
  const inputs = toInputs(setups, view, news.bySymbol, soon);
  const ranked = rankIdeas(job, inputs, params, open);
  const byId = new Map(inputs.map((x) => [x.setup.symbol, x]));
  const ideas: Idea[] = ranked.map((r) => {
    const x = byId.get(r.symbol)!;
    const s = x.setup;
    return {
      id: `${date}|${job}|${r.symbol}`, date, slot: job, at, symbol: r.symbol, side: r.side, entry: r.entry, stop: r.stop, horizon: r.horizon,
      criterion: r.criterion, criterionVersion: r.criterionVersion, configVersion: config.version, why: r.why,
      facts: {
        close: s.close, atr: round(s.atr), rsi: round(s.rsi, 1), squeeze: round(s.squeeze, 2),
        ...(x.premarket ? { gap: round(x.premarket.last / s.close - 1) } : {}),
        ...(x.today ? { gap: round(x.today.open / s.close - 1), move: round(x.today.last / s.close - 1), relVolume: round(x.today.relVolume, 2) } : {}),
        ...(x.context.news ? { news: x.context.news.count, sentiment: round(sentimentOf(x.context), 2) } : {}),
        ...(x.context.earningsInDays !== undefined ? { earningsInDays: x.context.earningsInDays } : {}),
        ...(x.context.sectorMove !== undefined ? { sectorMove: round(x.context.sectorMove) } : {}),
      },
    };
  });
  return { date, job, at, basis: view.basis, configVersion: config.version, ideas, considered: setups.length };
}

/** The criteria's inputs: each setup with the day so far (or the pre-market), its news and earnings, and its sector's move. */
function toInputs(setups: Setup[], view: Awaited<ReturnType<typeof todaysView>>, news: Map<string, { count: number; positive: number; negative: number }>, soon: Map<string, number>): IdeaInput[] {
  const today = new Map<string, DaySoFar>();
  if (view.today) {
    for (const s of setups) {
      const t = view.today.get(s.symbol);
      if (!t) continue;
      const expected = s.avgVolume * Math.max(view.share ?? 0, 0.02);
      today.set(s.symbol, { open: t.open, high: t.high, low: t.low, last: t.last, volume: t.volume, relVolume: expected > 0 ? t.volume / expected : 0 });
    }
  }
  const moveOf = (s: Setup) => (view.today ? (today.has(s.symbol) ? today.get(s.symbol)!.last / s.close - 1 : undefined) : s.move);
  const sectors = new Map<string, { sum: number; n: number }>();
  for (const s of setups) {
    const m = moveOf(s);
    if (m === undefined) continue;
    const k = sectorOf(s.symbol);
    const c = sectors.get(k) ?? { sum: 0, n: 0 };
    c.sum += m;
    c.n++;
    sectors.set(k, c);
  }
  const out: IdeaInput[] = [];
  for (const s of setups) {
    if (view.today && !today.has(s.symbol)) continue;
    const sector = sectorOf(s.symbol);
    const sc = sectors.get(sector);
    const pm = view.premarket?.get(s.symbol);
    out.push({
      setup: s, sector, ...(pm !== undefined ? { premarket: { last: pm } } : {}), ...(today.has(s.symbol) ? { today: today.get(s.symbol) } : {}),
      context: { news: news.get(s.symbol), earningsInDays: soon.get(s.symbol), sectorMove: sc && sc.n ? sc.sum / sc.n : undefined },
    });
  }
  return out;
}

/**
 * A slot's ideas, stored once: the stored slot when there is one (a second worker, a retry, `--force`: the posted
 * ideas stand), else built and inserted; of two workers building at once, the first insert is the slot and the
 * other reads it. A slot for a date already scored as final moves score-ideas' bookmark back so it is scored too.
 */
export async function runIdeasSlot(env: Env, date: IsoDate, job: IdeaSlotJob, now: Date): Promise<IdeaSlotView> {
  const existing = await readSlot(date, job);
  if (existing) return existing;
  const built = await buildSlot(env, date, job, now);
  const _id = slotId(date, job);
  try {
    const { ideas, ...rest } = built;
    await IdeaSlot.create({ _id, ...rest, ideasJson: JSON.stringify(ideas), createdAt: now });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return (await readSlot(date, job))!;
  }
  if (built.ideas.length) {
    await withInfoWriter('ideas', async () => {
      const final = await readState<string>(FINAL_STATE);
      if (final && final >= date) await writeState(FINAL_STATE, previousTradingDay(date), now);
    });
  }
  return { id: _id, ...built, created: true };
}
