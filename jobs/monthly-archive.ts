import { join } from 'node:path';
import { backupDir } from '../src/db/backup.js';
import { nativeDb } from '../src/db/connection.js';
import { archiveMonth } from '../src/health/archive.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'monthly-archive';
export const description = 'On the 1st: move job runs, sent posts and scan results past retention to archive/YYYY-MM/ (backup format), then delete them.';
/** 02:30 New York on the 1st of the month, after the nightly backup. */
export const schedule = { cron: '30 2 1 * *' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 30 * 60_000, missedRuns: 'latest' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const r = await archiveMonth(nativeDb(), join(backupDir(ctx.env), '..', 'archive'));
  return { summary: { archive: r.dir, moved: r.moved.map((m) => `${m.name} ${m.count}`) } };
}
