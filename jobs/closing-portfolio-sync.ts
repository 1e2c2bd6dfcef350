import { syncBrokerPortfolios } from '../src/broker/reconcile.js';
import { infoClock } from '../src/info/run-clock.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'closing-portfolio-sync';
export const description = '16:15 on trading days: each broker portfolio\'s account, positions, orders and fills against the ledger; each difference posted once, never fixed silently.';
export const schedule = { cron: '15 16 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, missedRuns: 'latest' as const, maxAttempts: 3 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  return { summary: await syncBrokerPortfolios(ctx.env, ctx.date, 'closing', infoClock(ctx, '16:15')) };
}
