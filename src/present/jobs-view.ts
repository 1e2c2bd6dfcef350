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

export function historyPost(job: string, runs: JobRunView[]): PostInput {
  return {
    kind: 'ops',
    title: `History of ${job}`,
    description: runs.length
      ? runs.map((r) => `${r.runKey} · ${r.status} · attempt ${r.attempt} · ${r.trigger}${r.durationMs !== null ? ` · ${r.durationMs} ms` : ''}${r.error ? ` · ${r.error.slice(0, 80)}` : ''}`).join('\n')
      : 'No runs yet.',
  };
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
