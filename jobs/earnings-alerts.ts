import { earningsAlerts } from '../src/info/calendar-service.js';
import { enqueuePosts } from '../src/notify/outbox.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'earnings-alerts';
export const description = "08:00 on trading days: the next four weeks of the earnings calendar synced, today's reporters in the universe posted (held and watched names first), one DM to each member who watches a reporter.";
export const schedule = { cron: '0 8 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const summary = await earningsAlerts(ctx.env, ctx.date, ctx.publish, (dms) => enqueuePosts(dms.map((d) => ({ key: d.key, post: d.post, destination: { sink: 'dm', userId: d.userId } }))));
  return { summary };
}
