import { syncCongress } from '../src/congress/congress-service.js';
import { infoClock } from '../src/info/run-clock.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'congress-sync';
export const description = 'Every 2 hours: Congress members\' trade disclosures (STOCK Act PTRs) filed since the last sync, stored once, posted to the congress channel and DMed to followers.';
export const schedule = { cron: '0 */2 * * *' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 30 * 60_000, runKeyEvery: { minutes: 120 }, missedRuns: 'latest' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const r = await syncCongress(ctx.env, infoClock(ctx, '18:00'));
  return {
    summary: {
      provider: r.provider, sources: r.sources.map((s) => `${s.source}: ${s.ok ? 'ok' : 'unavailable'} — ${s.detail} (${s.requests} request(s))`),
      newFilings: r.newFilings, parsed: r.parsed, notParsed: r.notParsed.map((n) => `${n.docId}: ${n.reason}`), transactions: r.transactions,
      amendmentsFolded: r.amendmentsFolded, posts: r.posts, dms: r.dms, pending: r.pending, synthetic: r.synthetic, ms: r.ms,
    },
  };
}
