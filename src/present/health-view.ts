import { catchUpLines } from './jobs-view.js';
import type { HealthReport } from '../health/health-service.js';
import { COLORS, type PostInput } from '../notify/post.js';

function ago(iso: string | null, now: Date): string {
  if (!iso) return 'never';
  const s = Math.round((now.getTime() - new Date(iso).getTime()) / 1000);
  if (s < 90) return `${s}s ago`;
  if (s < 5400) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

function uptime(sec: number): string {
  const d = Math.floor(sec / 86_400);
  const h = Math.floor((sec % 86_400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return d ? `${d}d ${h}h ${m}m` : h ? `${h}h ${m}m` : `${m}m ${sec % 60}s`;
}

export function healthPost(r: HealthReport): PostInput {
  const now = new Date(r.checkedAt);
  const jobLines = r.jobs.map((j) => {
    const last = j.lastRun ? `${j.lastRun.status} ${ago(j.lastRun.startedAt, now)} (${j.lastRun.runKey})` : 'never ran';
    return `${j.name}: ${last}`;
  });
  return {
    kind: 'ops',
    title: r.ok ? 'Health: all good' : `Health: ${r.problems.length} problem(s)`,
    description: [...catchUpLines(r.catchUps.filter((c) => c.state !== 'failed')), ...r.problems.map((p) => `• ${p}`)].join('\n') || undefined,
    color: r.ok ? COLORS.ok : COLORS.bad,
    fields: [
      { name: 'Database', value: r.database.ok ? `${r.database.kind}, ping ${r.database.pingMs} ms` : `down: ${r.database.error}`, inline: true },
      { name: 'Scheduler', value: `${r.scheduler.state}; ${r.scheduler.running} running, ${r.scheduler.queued} due, ${r.scheduler.stuckLocks} stuck`, inline: true },
      { name: 'Outbox', value: `${r.outbox.pending} pending, ${r.outbox.dead} dead this week${r.outbox.deadDms ? ` (+${r.outbox.deadDms} DMs refused)` : ''}`, inline: true },
      { name: 'Uptime', value: uptime(r.uptimeSec), inline: true },
      {
        name: 'Market data',
        value:
          r.providers
            .map((p) => `${p.id} (${p.role}): ${p.breaker === 'n/a' ? 'offline demo data' : `breaker ${p.breaker}${p.consecutiveFailures ? `, ${p.consecutiveFailures} failure(s)` : ''}`}; ${p.callsToday} request(s) today${p.dailyLimit ? ` of ${p.dailyLimit}` : ''}`)
            .join('\n') || 'none configured',
      },
      ...(r.series.total ? [{
        name: 'Series (split-adjusted, consolidated feed)',
        value: [`${r.series.policyMet} of ${r.series.total} meet the policy`, ...r.series.exceptions.slice(0, 5), ...r.series.refusals.slice(0, 5).map((x) => `refused ${x}`)].join('\n').slice(0, 1024),
      }] : []),
      ...(r.broker.length ? [{ name: 'Broker', value: r.broker.map((b) => `${b.inSync ? '🟢' : '🔴'} ${b.portfolio}: ${b.inSync ? 'in sync' : `${b.differences} difference(s)`} (${ago(b.at, now)})`).join('\n').slice(0, 1024) }] : []),
      ...(r.congress.length ? [{
        name: 'Congress disclosures',
        value: r.congress.map((c) => `${c.ok ? '🟢' : '🔴'} ${c.source}: ${c.ok ? c.detail : `unavailable since ${ago(c.downSince ?? c.at, now)} — ${c.detail}`} (checked ${ago(c.at, now)})`).join('\n').slice(0, 1024),
      }] : []),
      ...(r.discord ? [{ name: 'Discord', value: r.discord.ready ? `connected, gateway ping ${r.discord.pingMs ?? '?'} ms` : 'not connected', inline: true }] : []),
      ...(r.alerts.length ? [{ name: 'Monitor rules', value: r.alerts.map((a) => `${a.open ? '🔴' : '🟢'} ${a.rule}${a.open ? ` since ${ago(a.openedAt, now)}` : ''}`).join('\n') }] : []),
      { name: 'Last runs', value: jobLines.join('\n') || 'no jobs' },
    ],
    footer: `checked ${r.checkedAt}`,
  };
}

export function alertsPost(p: import('../notify/alert-policy.js').Policy, envChannel: (kind: string) => string | undefined): PostInput {
  return {
    kind: 'ops',
    title: 'Alert routing',
    description: Object.entries(p.routes)
      .map(([k, r]) => `**${k}**: ${r.mode} → ${r.channelId ? `<#${r.channelId}>` : envChannel(k) ? `<#${envChannel(k)}> (env)` : 'console / webhook'}`)
      .join('\n'),
    fields: [{ name: 'Quiet hours (New York)', value: p.quiet ? `${p.quiet.start}–${p.quiet.end}: posts arrive without notification; urgent ops errors still notify` : 'off' }],
  };
}
