import { providerFor } from '../src/market-data/providers.js';
import { updateUniverse, universeReportPost } from '../src/market-data/universe-update.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'stock-universe-update';
export const description = 'Re-read the maintained universe, record additions and removals, backfill new symbols, report coverage.';
/** Sunday 09:00 New York, as in the seed's weekly slot. */
export const schedule = { cron: '0 9 * * 0' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 30 * 60_000 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const r = await updateUniverse({ date: ctx.date, provider: providerFor(ctx.env) });
  await ctx.publish(`${name}:${ctx.date}`, universeReportPost(r, ctx.env.MARKET_DATA_PROVIDER === 'demo'));
  return {
    summary: { members: r.members, added: r.added.length, removed: r.removed.length, changed: r.changed.length, stale: r.coverage.stale.length, noBars: r.coverage.noBars.length, backfilled: r.backfilled.length },
  };
}
