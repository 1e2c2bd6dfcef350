import { cleanupExpired } from '../src/health/maintenance.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'maintenance-cleanup';
export const description = 'Expire old records (the work a TTL index would do on MongoDB; FerretDB has none).';
/** 22:00 New York, the seed's database-cleanup slot. */
export const schedule = { cron: '0 22 * * *' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 10 * 60_000 };

export async function handler(_ctx: JobContext): Promise<JobOutcome> {
  return { summary: { ...(await cleanupExpired(new Date())) } };
}
