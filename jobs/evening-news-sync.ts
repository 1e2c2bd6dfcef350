import { eveningDigest, eveningPost, markEveningPosted } from '../src/info/news-digest.js';
import { syncNews } from '../src/info/news-service.js';
import { infoClock } from '../src/info/run-clock.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'evening-news-sync';
export const description = "18:00 on trading days (heavy): the day's last news sync, then the evening post — the most covered names, sentiment by sector, the movers with their news, what is new since the last post.";
export const schedule = { cron: '0 18 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 15 * 60_000, missedRuns: 'latest' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const at = infoClock(ctx, '18:00');
  const sync = await syncNews(ctx.env, at, ctx.runKey);
  const digest = await eveningDigest(ctx.date, at);
  await ctx.publish(`${name}:${ctx.date}`, eveningPost(digest));
  await markEveningPosted(at);
  return { summary: { ...sync, problems: sync.problems.map((p) => `${p.provider} ${p.row}: ${p.problem}`), articlesToday: digest.articles, mostCovered: digest.mostCovered.map((m) => m.symbol) } };
}
