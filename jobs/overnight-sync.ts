import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { infoClock } from '../src/info/run-clock.js';
import { overnightSync } from '../src/world/brew-service.js';

export const name = 'overnight-sync';
export const description = '00:00 on weeknights: crypto at midnight New York against the US close, stored for the morning briefs; a post only past WORLD_MOVE_ALERT_PCT.';
export const schedule = { cron: '0 0 * * 1-5' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 5 * 60_000, missedRuns: 'latest' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const r = await overnightSync(ctx.env, ctx.date, infoClock(ctx, '00:00'));
  return { summary: { crypto: r.crypto.map((c) => `${c.symbol} ${c.close}`), alerted: r.alerted, synthetic: r.synthetic } };
}
