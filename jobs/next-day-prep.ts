import { runScanJob, scanJob } from '../src/analysis/scan-job.js';
import { startWatchEvaluation } from '../src/analysis/watch-service.js';
import type { Setup } from '../src/ideas/features.js';
import { setupOnClose, storeSetups } from '../src/ideas/setup-store.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

const job = scanJob('next-day-prep');
export const { name, schedule, options } = job;
export const description = `${job.description} Then evaluates members' watchlists on the day's close and DMs each member's triggers once.`;

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  // Watchlists see each symbol's bars as the scan reads them (no second read, no provider calls); what the
  // scan did not read (SPX, or a stored scan on a re-run) is read when the evaluation finishes.
  // The entry ideas' setups on this close too, for tomorrow's three idea slots (src/ideas/setup-store.ts).
  const watch = await startWatchEvaluation(ctx.date);
  const setups: Setup[] = [];
  const scan = await runScanJob('next-day-prep', ctx, (symbol, bars) => {
    watch.visit(symbol, bars);
    const s = setupOnClose(symbol, bars, ctx.date);
    if (s) setups.push(s);
  });
  if (setups.length) await storeSetups(ctx.date, setups, new Date(ctx.now));
  return { summary: { ...scan.summary, watch: await watch.finish(), ideaSetups: setups.length } };
}
