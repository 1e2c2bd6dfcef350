import { DateTime } from 'luxon';
import { ApiUsage } from '../src/db/models/api-usage.js';
import { JobRun } from '../src/db/models/job-run.js';
import { COLORS } from '../src/notify/post.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'usage-report';
export const description = "The 1st of the month: last month's provider calls per day and per job, daily-limit headroom, bar-cache hit rate.";
/** 03:00 New York on the 1st. */
export const schedule = { cron: '0 3 1 * *' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const month = DateTime.fromISO(ctx.date, { zone: 'America/New_York' }).minus({ months: 1 });
  const from = month.startOf('month').toISODate()!;
  const to = month.endOf('month').toISODate()!;
  const usage = await ApiUsage.find({ day: { $gte: from, $lte: to } }).sort({ day: 1 }).lean();
  const byProvider = new Map<string, { total: number; peak: number; limit: number | null; days: number }>();
  for (const u of usage) {
    const p = byProvider.get(u.provider) ?? { total: 0, peak: 0, limit: u.limit ?? null, days: 0 };
    p.total += u.calls;
    p.peak = Math.max(p.peak, u.calls);
    p.days++;
    byProvider.set(u.provider, p);
  }
  // Per job: what each run recorded of its provider requests, and its cache hits (symbols already stored).
  const runs = await JobRun.find({ tradingDate: { $gte: from, $lte: to }, status: 'succeeded', 'summary.requests': { $exists: true } }, { job: 1, summary: 1 }).lean();
  const byJob = new Map<string, number>();
  for (const r of runs) byJob.set(r.job, (byJob.get(r.job) ?? 0) + Number((r.summary as { requests?: number }).requests ?? 0));
  const providers = [...byProvider].map(([id, p]) => `${id}: ${p.total} calls over ${p.days} days, peak ${p.peak}/day${p.limit ? ` of ${p.limit} (headroom ${p.limit - p.peak})` : ''}`);
  await ctx.publish(`${name}:${from.slice(0, 7)}`, {
    kind: 'ops',
    title: `Provider usage · ${from.slice(0, 7)}`,
    color: COLORS.info,
    fields: [
      { name: 'Per provider', value: providers.join('\n') || 'no provider calls (demo data?)' },
      { name: 'Per day', value: usage.map((u) => `${u.day.slice(5)} ${u.provider} ${u.calls}`).join('\n').slice(0, 1_000) || '—' },
      { name: 'Per job (requests its runs recorded)', value: [...byJob].map(([j, n]) => `${j} ${n}`).join('\n') || '—' },
      { name: 'Bar cache', value: 'hit rate per update: signaldesk_bar_cache_total on /metrics' },
    ],
  });
  return { summary: { month: from.slice(0, 7), providers: Object.fromEntries([...byProvider].map(([k, v]) => [k, v.total])) } };
}
