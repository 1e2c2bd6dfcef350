import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { buildWorldBoard, worldChart, worldPost } from '../src/world/world-service.js';

export const name = 'international-markets';
export const description = '20:00 on trading days: the day around the world — regions ranked by their country ETFs, the dollar, yields, crypto; stored for /world and the morning briefs.';
export const schedule = { cron: '0 20 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, missedRuns: 'latest' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const board = await buildWorldBoard(ctx.env, ctx.date);
  const chart = await worldChart(board);
  await ctx.publish(`${name}:${ctx.date}`, { ...worldPost(board), image: { filename: chart.filename, base64: chart.png.toString('base64') } });
  return { summary: { regions: board.regions.map((r) => `${r.region} ${r.pct.toFixed(2)} %`), crypto: board.crypto.length, yields: board.yields.length, notes: board.notes, synthetic: board.synthetic } };
}
