import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { infoClock } from '../src/info/run-clock.js';
import { runBrew } from '../src/world/brew-service.js';

export const name = 'morning-brew-main';
export const description = "07:30 on trading days: the ten names worth a look (the scan joined with news, earnings, the signal) and the three biggest risks to the portfolios.";
export const schedule = { cron: '30 7 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const post = await runBrew(ctx.env, ctx.date, 'main', infoClock(ctx, '07:30'));
  await ctx.publish(`${name}:${ctx.date}`, post);
  return { summary: { title: post.title, fields: (post.fields ?? []).map((f) => f.name) } };
}
