import type { CatchUpProgress } from '../scheduler/catch-up.js';
import { DateTime } from 'luxon';
import { COLORS, type PostInput } from '../notify/post.js';
import type { RunResult } from '../scheduler/run-job.js';
import type { JobRunView, JobView, UpcomingRun } from '../scheduler/jobs-service.js';

/** One line per catch-up in view: "Catching up on host:42: 3 of 34 runs (now execute-trades 2026-11-23)". */
export function catchUpLines(catchUps: CatchUpProgress[]): string[] {
  return catchUps.map((c) => {
    if (c.state === 'done') return `Caught up on ${c.worker}: ${c.total} run(s) after downtime, done ${c.finishedAt ?? ''}`.trim();
    if (c.state === 'failed') return `Catch-up on ${c.worker} failed after ${c.done} of ${c.total} runs: ${c.error ?? 'unknown error'}`;
    if (c.state === 'interrupted') return `Catch-up on ${c.worker} stopped after ${c.done} of ${c.total} runs${c.current ? ` (at ${c.current})` : ''}: the worker went away; the next worker to start catches up what is left`;
    if (c.state === 'planning') return `Catching up on ${c.worker}: looking for missed slots`;
    return `Catching up on ${c.worker}: ${c.done} of ${c.total} runs${c.current ? ` (now ${c.current})` : ''}`;
  });
}

export function jobsPost(jobs: JobView[], catchUps: CatchUpProgress[] = []): PostInput {
  const lines = catchUpLines(catchUps);
  return {
    kind: 'ops',
    title: `Jobs (${jobs.length})`,
    ...(lines.length ? { description: lines.join('\n') } : {}),
    fields: jobs.slice(0, 25).map((j) => ({
      name: j.name,
      value: [
        j.cron ? `\`${j.cron}\` ${j.timezone}${j.marketDaysOnly ? ', trading days' : ''}` : 'on demand',
        `next: ${j.nextRunAt ?? '—'}`,
        `last: ${j.lastRun ? `${j.lastRun.status} ${j.lastRun.runKey}${j.lastRun.late ? ' (late)' : ''}${j.lastRun.durationMs !== null ? ` in ${j.lastRun.durationMs} ms` : ''}` : 'never'}`,
      ].join('\n'),
    })),
  };
}

export function historyRows(runs: JobRunView[]): string[] {
  return runs.map((r) => {
    const timing = r.dueAt ? ` · due ${hhmm(r.dueAt)}${r.status === 'missed' ? '' : `, started ${hhmm(r.startedAt)}${r.late ? ' (late)' : ''}`}` : '';
    const why = r.status === 'missed' ? ` · ${String((r.summary as { missed?: unknown } | null)?.missed ?? 'missed')}` : '';
    return `${r.runKey} · ${r.status} · attempt ${r.attempt} · ${r.trigger}${timing}${r.durationMs !== null && r.status !== 'missed' ? ` · ${r.durationMs} ms` : ''}${why}${r.error ? ` · ${r.error.slice(0, 80)}` : ''}`;
  });
}

/** A time in New York, as people at a US desk read a schedule. */
function hhmm(iso: string): string {
  return DateTime.fromISO(iso, { zone: 'America/New_York' }).toFormat('LL-dd HH:mm');
}

export function historyPage(job: string, rows: string[], page = 1, pages = 1): PostInput {
  return { kind: 'ops', title: `History of ${job}${pages > 1 ? ` · page ${page}/${pages}` : ''}`, description: rows.join('\n') || 'No runs yet.' };
}

export function historyPost(job: string, runs: JobRunView[]): PostInput {
  return historyPage(job, historyRows(runs));
}

/** A summary value as text: lists joined, objects as compact JSON (never "[object Object]"). */
export function summaryValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(summaryValue).join(', ') || '—';
  if (v instanceof Date) return v.toISOString();
  // A nested summary (a scan's top symbols per criterion) reads as "oversold AAPL MSFT; breakout NVDA".
  if (typeof v === 'object' && v !== null) return Object.entries(v).map(([k, x]) => `${k} ${summaryValue(x)}`).join('; ') || '—';
  return String(v);
}

export function runResultPost(r: RunResult): PostInput {
  const color = r.status === 'succeeded' ? COLORS.ok : r.status === 'failed' ? COLORS.bad : COLORS.info;
  const summary = r.summary ? Object.entries(r.summary).map(([k, v]) => `${k}: ${summaryValue(v)}`).join('\n') : undefined;
  return {
    kind: 'ops',
    title: `${r.job} · ${r.date}: ${r.status}`,
    description: r.reason ?? r.error ?? undefined,
    color,
    fields: [
      { name: 'Run key', value: r.runKey, inline: true },
      { name: 'Attempt', value: String(r.attempt), inline: true },
      { name: 'Duration', value: `${r.durationMs} ms`, inline: true },
      ...(summary ? [{ name: 'Summary', value: summary }] : []),
    ],
  };
}

export function schedulePost(runs: UpcomingRun[]): PostInput {
  return {
    kind: 'ops',
    title: `Next ${runs.length} runs (New York time)`,
    description: runs.map((r) => `\`${r.newYork}\`  ${r.job}`).join('\n') || 'nothing scheduled',
    footer: 'trading-day jobs skip NYSE holidays and weekends; deliver-outbox and health-check run every few minutes',
  };
}
