import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { brewClock, morningBrewEarly, storeBrew } from '../src/world/brew-service.js';

export const name = 'morning-brew-early';
export const description = "06:00 on trading days: the morning brief — overnight news on holdings and the universe, the world overnight, today's earnings and releases.";
export const schedule = { cron: '0 6 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const now = brewClock(ctx.date, '06:00', ctx.now);
  const post = await morningBrewEarly(ctx.env, ctx.date, now);
  await storeBrew(ctx.date, 'early', post, now);
  await ctx.publish(`${name}:${ctx.date}`, post);
  return { summary: { title: post.title, fields: (post.fields ?? []).map((f) => f.name) } };
}
