import { scanJob } from '../src/analysis/scan-job.js';
import { evaluateWatchlists } from '../src/analysis/watch-service.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

const job = scanJob('next-day-prep');
export const { name, schedule, options } = job;
export const description = `${job.description} Then evaluates members' watchlists on the day's close and DMs each member's triggers once.`;

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const scan = await job.handler(ctx);
  // Watchlists read the bars the scan just made sure of: no extra provider calls.
  const watch = await evaluateWatchlists(ctx.date);
  return { summary: { ...scan.summary, watch } };
}
