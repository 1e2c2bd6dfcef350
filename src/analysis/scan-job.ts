import { providerFor } from '../market-data/providers.js';
import type { JobContext, JobModule, JobOutcome } from '../scheduler/job-definition.js';
import { infoMarks } from '../info/marks.js';
import { infoClock } from '../info/run-clock.js';
import { runNamedScan, scanPost, SCANS, type BarsVisitor, type ScanName } from './scan-service.js';

/** Run a named scan for the job's slot and publish it; `onBars` sees each symbol's bars as the scan reads them. */
export async function runScanJob(name: ScanName, ctx: JobContext, onBars?: BarsVisitor): Promise<JobOutcome> {
  const now = new Date(ctx.now);
  const s = await runNamedScan(name, ctx.date, { provider: providerFor(ctx.env), force: ctx.force, onBars, now });
  // The news of the day so far and earnings within two weeks, beside each name listed (as of the scan's time).
  const listed = [...new Set(s.results.flatMap((r) => r.hits.map((h) => h.symbol)))];
  const [minute, hour] = SCANS[name].cron.split(' ');
  const due = 'asOf' in SCANS[name] ? (SCANS[name] as { asOf: string }).asOf : `${hour!.padStart(2, '0')}:${minute!.padStart(2, '0')}`;
  const marks = await infoMarks(ctx.date, infoClock(ctx, due), listed).catch(() => new Map<string, string>());
  await ctx.publish(`${name}:${ctx.date}`, scanPost(s, ctx.env.MARKET_DATA_PROVIDER === 'demo', marks));
  return { summary: { scanned: s.scanned, universe: s.universe, dataThrough: s.dataThrough, ...(s.basis ? { basis: s.basis.snapshot ?? s.basis.fallback, requests: s.created && s.basis.taken ? 1 : 0 } : {}), durationMs: s.durationMs, top: Object.fromEntries(s.results.map((r) => [r.criterion, r.hits.slice(0, 3).map((h) => h.symbol).join(' ') || 'none'])) } };
}

/** The job module of one named scan (jobs/<scan>.ts re-exports it). */
export function scanJob(name: ScanName): JobModule {
  return {
    name,
    description: `Universe scan (${SCANS[name].criteria.join(', ')}) ${SCANS[name].basis === 'intraday' ? `on the day so far (the ${(SCANS[name] as { asOf: string }).asOf} snapshot appended to the daily bars; the previous close when the provider has no snapshots)` : `on bars through the ${SCANS[name].basis === 'previous-close' ? 'previous' : "day's"} close`}; posts the top 10 of each.`,
    schedule: { cron: SCANS[name].cron, ...('earlyClose' in SCANS[name] ? { earlyClose: (SCANS[name] as { earlyClose: string }).earlyClose } : {}) },
    options: { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 15 * 60_000 },
    handler: (ctx: JobContext) => runScanJob(name, ctx),
  };
}
