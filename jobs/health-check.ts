import { isAbsolute, resolve } from 'node:path';
import { runMonitor } from '../src/health/monitor.js';
import { parseThresholds } from '../src/health/rules.js';
import { PROJECT_ROOT } from '../src/paths.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { loadJobs } from '../src/scheduler/job-registry.js';

export const name = 'health-check';
export const description = 'Every 5 minutes: evaluate the health rules and tell ops when an alert opens, stays open for hours, or resolves.';
export const schedule = { cron: '*/5 * * * *' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 2 * 60_000, runKeyEvery: { minutes: 5 }, missedRuns: 'skip' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const dataDir = isAbsolute(ctx.env.LOCAL_DB_DIR) ? ctx.env.LOCAL_DB_DIR : resolve(PROJECT_ROOT, ctx.env.LOCAL_DB_DIR);
  const jobs = await loadJobs(ctx.env.SCHEDULE_TIMEZONE, undefined, () => undefined);
  const { results, said } = await runMonitor({
    jobs, databaseKind: ctx.env.MONGODB_URI ? 'external' : 'local', dataDir,
    providers: { primary: ctx.env.MARKET_DATA_PROVIDER, secondary: ctx.env.MARKET_DATA_SECONDARY },
    now: new Date(ctx.now),
  }, parseThresholds(ctx.env.HEALTH_THRESHOLDS));
  return { summary: { firing: results.filter((r) => r.firing).map((r) => r.rule), said: said.map((s) => `${s.kind} ${s.rule}`) } };
}
