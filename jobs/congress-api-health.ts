import { checkCongressSources } from '../src/congress/congress-service.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'congress-api-health';
export const description = 'Every 10 minutes: are the disclosure sources reachable (the House index, the Senate eFD, Quiver, the Congress.gov API)? Feeds /health and the monitor.';
export const schedule = { cron: '*/10 * * * *' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 2 * 60_000, runKeyEvery: { minutes: 10 }, missedRuns: 'skip' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const checks = await checkCongressSources(ctx.env, new Date(ctx.now));
  return { summary: { checks: checks.map((c) => `${c.source}: ${c.ok ? 'ok' : 'DOWN'} — ${c.detail} (${c.ms} ms)`), down: checks.filter((c) => !c.ok).map((c) => c.source) } };
}
