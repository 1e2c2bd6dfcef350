import { backupDatabase, backupDir } from '../src/db/backup.js';
import { nativeDb } from '../src/db/connection.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'system-maintenance';
export const description = 'Nightly backup of every collection (gzip Extended JSON + manifest), keeping the newest BACKUP_KEEP.';
/** 02:00 New York, the seed's overnight maintenance slot. */
export const schedule = { cron: '0 2 * * *' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 30 * 60_000, missedRuns: 'latest' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const { dir, manifest } = await backupDatabase(nativeDb(), backupDir(ctx.env), { keep: ctx.env.BACKUP_KEEP });
  return { summary: { backup: dir, collections: manifest.collections.length, documents: manifest.collections.reduce((a, c) => a + c.count, 0) } };
}
