import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { brewClock, morningBrewMain, storeBrew } from '../src/world/brew-service.js';

export const name = 'morning-brew-main';
export const description = "07:30 on trading days: the ten names worth a look (the scan joined with news, earnings, the signal) and the three biggest risks to the portfolios.";
export const schedule = { cron: '30 7 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const now = brewClock(ctx.date, '07:30', ctx.now);
  const post = await morningBrewMain(ctx.env, ctx.date, now);
  await storeBrew(ctx.date, 'main', post, now);
  await ctx.publish(`${name}:${ctx.date}`, post);
  return { summary: { title: post.title, fields: (post.fields ?? []).map((f) => f.name) } };
}
