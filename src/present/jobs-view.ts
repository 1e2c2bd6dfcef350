import { COLORS, type PostInput } from '../notify/post.js';
import type { RunResult } from '../scheduler/run-job.js';
import type { JobRunView, JobView } from '../scheduler/jobs-service.js';

export function jobsPost(jobs: JobView[]): PostInput {
  return {
    kind: 'ops',
    title: `Jobs (${jobs.length})`,
    fields: jobs.slice(0, 25).map((j) => ({
      name: j.name,
      value: [
        j.cron ? `\`${j.cron}\` ${j.timezone}${j.marketDaysOnly ? ', trading days' : ''}` : 'on demand',
        `next: ${j.nextRunAt ?? '—'}`,
        `last: ${j.lastRun ? `${j.lastRun.status} ${j.lastRun.runKey}${j.lastRun.durationMs !== null ? ` in ${j.lastRun.durationMs} ms` : ''}` : 'never'}`,
      ].join('\n'),
    })),
  };
}

export function historyRows(runs: JobRunView[]): string[] {
  return runs.map((r) => `${r.runKey} · ${r.status} · attempt ${r.attempt} · ${r.trigger}${r.durationMs !== null ? ` · ${r.durationMs} ms` : ''}${r.error ? ` · ${r.error.slice(0, 80)}` : ''}`);
}

export function historyPage(job: string, rows: string[], page = 1, pages = 1): PostInput {
  return { kind: 'ops', title: `History of ${job}${pages > 1 ? ` · page ${page}/${pages}` : ''}`, description: rows.join('\n') || 'No runs yet.' };
}

export function historyPost(job: string, runs: JobRunView[]): PostInput {
  return historyPage(job, historyRows(runs));
}

export function runResultPost(r: RunResult): PostInput {
  const color = r.status === 'succeeded' ? COLORS.ok : r.status === 'failed' ? COLORS.bad : COLORS.info;
  const summary = r.summary ? Object.entries(r.summary).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') || '—' : String(v)}`).join('\n') : undefined;
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
