import { brokerPortfolios } from '../src/broker/order-service.js';
import { syncPortfolio } from '../src/broker/reconcile.js';
import { listPortfolios } from '../src/portfolio/portfolios.js';
import { slotInstant } from '../src/market-data/snapshot-store.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'portfolio-sync-morning';
export const description = '07:00 on trading days: each broker portfolio\'s account, positions, orders and fills against the ledger; each difference posted once, never fixed silently.';
export const schedule = { cron: '0 7 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, missedRuns: 'latest' as const, maxAttempts: 3 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const now = new Date(ctx.now).toISOString().slice(0, 10) === ctx.date ? new Date(ctx.now) : slotInstant(ctx.date, '07:00');
  const summary: Record<string, unknown> = {};
  for (const p of await brokerPortfolios(await listPortfolios())) {
    const r = await syncPortfolio(ctx.env, p, ctx.date, 'morning', now);
    summary[p] = r.inSync ? `broker: in sync (${r.positions} position(s))` : `${r.differences.length} difference(s): ${r.differences.map((d) => d.detail).join('; ')}`;
  }
  return { summary: Object.keys(summary).length ? summary : { portfolios: 'none trades through a broker (config set broker=alpaca)' } };
}
