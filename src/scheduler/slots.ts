import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import type { IsoDate } from '../calendar/dates.js';
import { MARKET_ZONE, closureReason, isEarlyClose } from '../calendar/nyse.js';
import type { JobDefinition, MissedRunPolicy } from './job-definition.js';

/**
 * Due slots: the moments a scheduled job was due, from its cron in its time zone. A scheduled run
 * belongs to the slot it was due for, not to the clock when it starts: its trading date and run key
 * come from the slot. Pure functions of (definition, times).
 */


/** A run that starts this long after its slot is "late" (shown by /jobs); with policy `skip` it is not run. */
export const LATE_AFTER_MS = 5 * 60_000;

/** How far back the catch-up looks: at most this many trading days. */
export const CATCH_UP_TRADING_DAYS = 10;

export interface Slot {
  /** When the run was due. */
  dueAt: Date;
  /** The New York calendar date of the slot: the run's trading date. */
  date: IsoDate;
  runKey: string;
}

/** A moment as a US desk reads a schedule: "Mon 2026-11-23 09:30" in New York. */
export function nyTime(d: Date): string {
  return DateTime.fromJSDate(d, { zone: MARKET_ZONE }).toFormat('ccc yyyy-LL-dd HH:mm');
}

export function slotDate(dueAt: Date): IsoDate {
  return DateTime.fromJSDate(dueAt, { zone: MARKET_ZONE }).toISODate() as IsoDate;
}

/** The run key of a slot: its trading date, or its minute for slot-keyed jobs (deliver-outbox). */
export function slotRunKey(def: Pick<JobDefinition, 'runKeyEvery'>, dueAt: Date): string {
  if (def.runKeyEvery === 'tradingDate') return slotDate(dueAt);
  const ms = def.runKeyEvery.minutes * 60_000;
  return new Date(Math.floor(dueAt.getTime() / ms) * ms).toISOString().slice(0, 16);
}

export function toSlot(def: Pick<JobDefinition, 'runKeyEvery'>, dueAt: Date): Slot {
  return { dueAt, date: slotDate(dueAt), runKey: slotRunKey(def, dueAt) };
}

type Scheduled = Pick<JobDefinition, 'schedule' | 'runKeyEvery'>;

/**
 * The crons of a job, each with the days it applies to: with an early-close cron, the regular one
 * applies on every other day and the early one on NYSE early-close days only.
 */
function cronsOf(def: Scheduled): Array<{ cron: string; applies: (date: IsoDate) => boolean }> {
  const s = def.schedule!;
  if (!s.earlyClose) return [{ cron: s.cron, applies: () => true }];
  return [{ cron: s.cron, applies: (d) => !isEarlyClose(d) }, { cron: s.earlyClose, applies: (d) => isEarlyClose(d) }];
}

/**
 * The latest occurrence of `cron` strictly before `bound`. cron-parser's prev() skips a time that the spring-forward
 * gap removed (02:00 on the March DST Sunday), while next() — what slotsBetween and Agenda use — maps it to 03:00
 * EDT; so prev() is followed by next() up to the bound and both directions agree. (The soak found the 02:00
 * maintenance firing at 03:00 on the DST day taken for the day before's slot, and the day's run lost.)
 */
function occurrenceBefore(cron: string, tz: string, bound: Date): Date | null {
  const back = CronExpressionParser.parse(cron, { currentDate: bound, tz });
  if (!back.hasPrev()) return null;
  let t = back.prev().toDate();
  const fwd = CronExpressionParser.parse(cron, { currentDate: t, tz });
  for (let i = 0; i < 4 && fwd.hasNext(); i++) {
    const n = fwd.next().toDate();
    if (n.getTime() >= bound.getTime()) break;
    t = n;
  }
  return t;
}

/** The latest occurrence of the job's cron at or before `now` (what a scheduler firing now was due for). */
export function latestSlot(def: Scheduled, now: Date): Slot | null {
  if (!def.schedule) return null;
  let best: Slot | null = null;
  for (const { cron, applies } of cronsOf(def)) {
    let bound = new Date(now.getTime() + 1_000);
    for (let i = 0; i < 20; i++) {
      const t = occurrenceBefore(cron, def.schedule.timezone, bound);
      if (!t) break;
      const slot = toSlot(def, t);
      if (!applies(slot.date)) {
        bound = t;
        continue;
      }
      if (!best || slot.dueAt > best.dueAt) best = slot;
      break;
    }
  }
  return best;
}

/**
 * Every slot in (after, upTo], oldest first, at most `limit`. Slots on days the market is closed are
 * left out for market-days-only jobs (they would only be recorded as skipped).
 */
export function slotsBetween(def: Pick<JobDefinition, 'schedule' | 'runKeyEvery' | 'marketDaysOnly'>, after: Date, upTo: Date, limit = 500): Slot[] {
  if (!def.schedule || upTo <= after) return [];
  const out: Slot[] = [];
  for (const { cron, applies } of cronsOf(def)) {
    const expr = CronExpressionParser.parse(cron, { currentDate: after, endDate: upTo, tz: def.schedule.timezone });
    let n = 0;
    while (n < limit && expr.hasNext()) {
      const dueAt = expr.next().toDate();
      if (dueAt > upTo) break;
      const slot = toSlot(def, dueAt);
      if ((def.marketDaysOnly && closureReason(slot.date)) || !applies(slot.date)) continue;
      out.push(slot);
      n++;
    }
  }
  return out.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()).slice(0, limit);
}

/** The moment `tradingDays` NYSE trading days before `now` began (New York midnight). */
export function catchUpHorizon(now: Date, tradingDays = CATCH_UP_TRADING_DAYS): Date {
  let d = DateTime.fromJSDate(now, { zone: MARKET_ZONE }).startOf('day');
  let seen = 0;
  while (seen < tradingDays) {
    d = d.minus({ days: 1 });
    if (!closureReason(d.toISODate() as IsoDate)) seen++;
  }
  return d.toJSDate();
}

export interface SlotPlan {
  run: Slot[];
  missed: Array<Slot & { reason: string }>;
}

/**
 * Apply a missed-run policy to the slots that passed unrun (oldest first): `catch-up` runs every one
 * of them, `latest` only the most recent, `skip` none. What is not run is reported with the reason.
 */
export function planMissed(policy: MissedRunPolicy, missed: Slot[]): SlotPlan {
  if (policy === 'catch-up') return { run: missed, missed: [] };
  if (policy === 'latest') {
    const last = missed.at(-1);
    return {
      run: last ? [last] : [],
      missed: missed.slice(0, -1).map((s) => ({ ...s, reason: `missed while no worker ran; policy 'latest' ran only ${last!.runKey}` })),
    };
  }
  return { run: [], missed: missed.map((s) => ({ ...s, reason: "missed while no worker ran; policy 'skip'" })) };
}
