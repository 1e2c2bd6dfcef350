import { DateTime } from 'luxon';
import { addDays, type IsoDate } from '../src/calendar/dates.js';
import { previousTradingDay } from '../src/calendar/nyse.js';
import { economicOn } from '../src/info/info-store.js';
import { economicDayPost, syncEconomic } from '../src/info/calendar-service.js';
import { COLORS } from '../src/notify/post.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'economic-calendar-sync';
export const description = "08:30 on trading days: the next five weeks of releases (FRED) and FOMC decisions (the Fed's calendar, or the kept list) synced, today's releases posted with their usual times; ops hears when the Fed's feed and the kept list disagree.";
export const schedule = { cron: '30 8 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const sync = await syncEconomic(ctx.env, ctx.date);
  const { events, synced } = await economicOn([ctx.date]);
  // Since the previous session (a weekend or holiday decision), and the rest of the week.
  const prev = previousTradingDay(ctx.date);
  const sinceDays: IsoDate[] = [];
  for (let d = addDays(prev, 1); d < ctx.date; d = addDays(d, 1)) sinceDays.push(d);
  const aheadDays: IsoDate[] = [1, 2, 3, 4, 5, 6].map((i) => addDays(ctx.date, i)).filter((d) => DateTime.fromISO(d).weekday <= 5 && DateTime.fromISO(d).weekNumber === DateTime.fromISO(ctx.date).weekNumber);
  const [since, ahead] = await Promise.all([economicOn(sinceDays), economicOn(aheadDays)]);
  await ctx.publish(`${name}:${ctx.date}`, economicDayPost(ctx.date, events, synced > 0, sync.releasesFrom, since.events, ahead.events));
  if (sync.fomcDisagrees) {
    await ctx.publish(`fomc-disagree:${sync.fomcDisagrees.replace(/\W+/g, '').slice(0, 120)}`, {
      kind: 'ops', title: "FOMC dates: the Fed's calendar and the kept list disagree", color: COLORS.warn,
      description: `${sync.fomcDisagrees}.\nThe Fed's calendar is used; update src/info/fomc-fallback.ts from federalreserve.gov/monetarypolicy/fomccalendars.htm.`,
    });
  }
  return { summary: { ...sync, problems: sync.problems.map((p) => `${p.provider} ${p.row}: ${p.problem}`), today: events.map((e) => `${e.time ?? ''} ${e.name}`.trim()) } };
}
