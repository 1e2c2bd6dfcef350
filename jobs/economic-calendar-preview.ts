import { addDays, type IsoDate } from '../src/calendar/dates.js';
import { economicWeekPost, syncEconomic } from '../src/info/calendar-service.js';
import { economicOn } from '../src/info/info-store.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'economic-calendar-preview';
export const description = "Sundays 18:00: the calendar synced and the week ahead posted (each day's releases and FOMC decisions, New York times).";
export const schedule = { cron: '0 18 * * 0' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const sync = await syncEconomic(ctx.env, ctx.date);
  const monday = addDays(ctx.date, 1);
  const days: IsoDate[] = [0, 1, 2, 3, 4].map((i) => addDays(monday, i));
  const byDay = await Promise.all(days.map(async (d) => ({ date: d, events: (await economicOn([d])).events })));
  await ctx.publish(`${name}:${ctx.date}`, economicWeekPost(days[0]!, days[4]!, byDay, sync.releasesFrom));
  return { summary: { ...sync, problems: sync.problems.map((p) => `${p.provider} ${p.row}: ${p.problem}`), events: byDay.reduce((n, d) => n + d.events.length, 0) } };
}
