import { DateTime } from 'luxon';
import type { IsoDate } from '../calendar/dates.js';
import { slotInstant } from '../market-data/snapshot-store.js';

/**
 * The instant a run of an information job stands for: the run's own clock when it is on its trading date (the
 * scheduled slot, or `run --at`), else that date at the job's usual time (`run news-sync --date 2020-03-16` is
 * that day's 17:00 sync). Nothing published after it is asked for.
 */
export function infoClock(ctx: { now: string; date: IsoDate }, usual: string): Date {
  const now = new Date(ctx.now);
  return DateTime.fromJSDate(now, { zone: 'America/New_York' }).toISODate() === ctx.date ? now : slotInstant(ctx.date, usual);
}
