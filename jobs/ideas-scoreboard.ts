import { addDays } from '../src/calendar/dates.js';
import { scoreboardChart, statsLine, statsPost } from '../src/ideas/idea-posts.js';
import { recordOf, recordsBetween } from '../src/ideas/idea-record.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'ideas-scoreboard';
export const description = "Sunday 08:30: the entry ideas' scoreboard — each criterion's hit rate and average return against SPX over the past year, with a chart, and the week's ideas.";
export const schedule = { cron: '30 8 * * 0' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const demo = ctx.env.MARKET_DATA_PROVIDER === 'demo';
  // One read of the year's months; the week is the tail of the same records.
  const since = addDays(ctx.date, -365);
  const records = await recordsBetween(since, ctx.date);
  const year = recordOf(records, since, ctx.date, null);
  const week = recordOf(records, addDays(ctx.date, -7), ctx.date, null);
  const chart = await scoreboardChart(year, demo);
  const post = statsPost(year, demo, 'Entry ideas: the scoreboard');
  await ctx.publish(`${name}:${ctx.date}`, {
    ...post,
    description: `${post.description ?? ''}\n**This week** (${week.since} → ${week.through}): ${week.count ? statsLine(week.overall) : 'no ideas'}.`.slice(0, 4000),
    image: { filename: chart.filename, base64: chart.png.toString('base64') },
  });
  return { summary: { count: year.count, week: week.count, criteria: Object.fromEntries(year.criteria.map((c) => [c.criterion, { scored: c.scored, hitRate: c.hitRate, avgExcess: c.avgExcess }])) } };
}
