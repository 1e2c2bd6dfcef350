import { deliverPending } from '../src/notify/delivery.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'deliver-outbox';
export const description = 'Deliver queued posts whose time has come (retries with back-off while a sink is down).';
export const schedule = { cron: '* * * * *' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 2 * 60_000, runKeyEvery: { minutes: 1 } };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const report = await deliverPending(ctx.env);
  return { summary: { ...report } };
}
