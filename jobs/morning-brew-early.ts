import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { infoClock } from '../src/info/run-clock.js';
import { runBrew } from '../src/world/brew-service.js';

export const name = 'morning-brew-early';
export const description = "06:00 on trading days: the morning brief — overnight news on holdings and the universe, the world overnight, today's earnings and releases.";
export const schedule = { cron: '0 6 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const post = await runBrew(ctx.env, ctx.date, 'early', infoClock(ctx, '06:00'));
  await ctx.publish(`${name}:${ctx.date}`, post);
  return { summary: { title: post.title, fields: (post.fields ?? []).map((f) => f.name) } };
}
