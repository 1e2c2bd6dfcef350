import { contractHealth } from '../market-data/series-contracts.js';
import mongoose from 'mongoose';
import { todayIn } from '../calendar/dates.js';
import { pingDatabase } from '../db/connection.js';
import { AlertState } from '../db/models/alert-state.js';
import { ProviderStatus } from '../db/models/provider-status.js';
import { InfoState } from '../db/models/info.js';
import { BrokerState } from '../db/models/broker.js';
import type { JobSummary } from '../db/models/job-status.js';
import { abandonedRuns as findAbandoned } from '../scheduler/recovery.js';
import { catchUpsInView, type CatchUpProgress } from '../scheduler/catch-up.js';
import { describeError } from '../errors.js';
import { apiUsageOn, USAGE_ALERT_SHARE } from '../market-data/http/api-usage.js';
import { outboxStats, type OutboxStats } from '../notify/outbox.js';
import type { JobDefinition } from '../scheduler/job-definition.js';
import { listJobs, type JobView } from '../scheduler/jobs-service.js';
import { AGENDA_COLLECTION } from '../scheduler/job-definition.js';

export interface HealthReport {
  ok: boolean;
  checkedAt: string;
  uptimeSec: number;
  database: { ok: boolean; kind: string; pingMs: number | null; error: string | null };
  scheduler: { state: 'running' | 'not running here'; queued: number; running: number; stuckLocks: number };
  outbox: OutboxStats;
  providers: ProviderHealth[];
  /** The stored series against the data policy (series_contracts): exceptions and the latest refusals. */
  series: { total: number; policyMet: number; exceptions: string[]; refusals: string[] };
  discord: { ready: boolean; pingMs: number | null } | null;
  jobs: JobView[];
  /** Catch-ups after downtime in progress, or ended within the hour, by worker ("n of m"). */
  catchUps: CatchUpProgress[];
  /** Runs whose worker stopped renewing their lease (killed, or cut off from the database). */
  abandonedRuns: Array<{ job: string; runKey: string; attempt: number; worker: string; leaseExpiredAt: string }>;
  /** The health monitor's rules as its last run left them (open alerts first). */
  alerts: Array<{ rule: string; open: boolean; openedAt: string | null; detail: string }>;
  /** Broker portfolios: their last reconciliation with the broker (in sync, or how many differences). */
  broker: Array<{ portfolio: string; inSync: boolean; differences: number; at: string }>;
  /** The Congress disclosure sources as congress-sync and congress-api-health last found them. */
  congress: Array<{ source: string; ok: boolean; detail: string; at: string; downSince: string | null }>;
  problems: string[];
}

export interface ProviderHealth {
  id: string;
  role: 'primary' | 'secondary' | 'other';
  /** The breaker as last recorded by any process; "closed" when it never failed. */
  breaker: 'closed' | 'open' | 'half-open' | 'n/a';
  consecutiveFailures: number;
  lastError: string | null;
  openedAt: string | null;
  lastSuccessAt: string | null;
  callsToday: number;
  dailyLimit: number | null;
}

export interface HealthInputs {
  jobs: Map<string, JobDefinition>;
  databaseKind: string;
  schedulerRunning: boolean;
  startedAt: Date;
  now?: Date;
  /** The configured market-data providers. */
  providers?: { primary: string; secondary?: string | undefined };
  /** The bot's gateway connection, when asked from the bot. */
  discord?: { ready: boolean; pingMs: number | null };
  /** The database round trip (default: a real ping); tests make it slow on purpose. */
  ping?: () => Promise<number>;
  /** The per-job summaries, when the caller has read them already (the monitor reads them too). */
  summaries?: Map<string, JobSummary>;
}

/** Database ping, Agenda backlog and stuck locks, last run of every job, outbox backlog, uptime. */
export async function getHealth(inp: HealthInputs): Promise<HealthReport> {
  const now = inp.now ?? new Date();
  const problems: string[] = [];
  let pingMs: number | null = null;
  let dbError: string | null = null;
  try {
    pingMs = Math.round((await (inp.ping ?? pingDatabase)()) * 10) / 10;
  } catch (err) {
    dbError = describeError(err);
    problems.push(`database: ${dbError}`);
  }
  let queued = 0;
  let running = 0;
  let stuckLocks = 0;
  let jobs: JobView[] = [];
  let outbox: OutboxStats = { pending: 0, dead: 0, deadDms: 0, sending: 0, oldestPendingAt: null };
  let providers: ProviderHealth[] = [];
  let series: HealthReport['series'] = { total: 0, policyMet: 0, exceptions: [], refusals: [] };
  let abandonedRuns: HealthReport['abandonedRuns'] = [];
  let alerts: HealthReport['alerts'] = [];
  let catchUps: CatchUpProgress[] = [];
  let congress: HealthReport['congress'] = [];
  let broker: HealthReport['broker'] = [];
  if (!dbError) {
    // The reads are independent: asked together, the check costs about its slowest read, not their sum.
    const coll = mongoose.connection.db!.collection(AGENDA_COLLECTION);
    const lifetime = new Map([...inp.jobs.values()].map((d) => [d.name, d.lockLifetimeMs]));
    let syncDocs, congressDocs, alertDocs, abandoned, locked;
    [syncDocs, congressDocs, alertDocs, abandoned, catchUps, locked, queued, jobs, outbox, providers, series] = await Promise.all([
      BrokerState.find({ _id: { $regex: '^sync\\|' } }).lean(),
      // A handful of documents in a small collection (info_state): the sources' last answers.
      InfoState.find({ _id: { $regex: '^congress-source:' } }).lean(),
      AlertState.find({}).lean(),
      findAbandoned(now),
      catchUpsInView(now),
      coll.find({ lockedAt: { $ne: null } }).toArray(),
      coll.countDocuments({ nextRunAt: { $lte: now }, lockedAt: null, disabled: { $ne: true } }),
      listJobs(inp.jobs, inp.summaries),
      outboxStats(now),
      providerHealth(inp.providers, now),
      contractHealth(),
    ]);
    broker = syncDocs
      .map((d) => d.value as { portfolio: string; inSync: boolean; differences: unknown[]; at: string })
      .map((v) => ({ portfolio: v.portfolio, inSync: v.inSync, differences: v.differences.length, at: v.at }));
    for (const b of broker) if (!b.inSync) problems.push(`broker and ledger differ for ${b.portfolio}: ${b.differences} difference(s) at ${b.at} (see /portfolio; an admin adopts with broker adopt)`);
    congress = congressDocs
      .map((d) => d.value as { source: string; ok: boolean; detail: string; at: string; downSince?: string | null })
      .map((v) => ({ source: v.source, ok: v.ok, detail: v.detail, at: v.at, downSince: v.downSince ?? null }))
      .sort((a, b) => a.source.localeCompare(b.source));
    for (const c of congress) if (!c.ok) problems.push(`congress source ${c.source} unavailable since ${c.downSince ?? c.at}: ${c.detail}`);
    alerts = alertDocs
      .map((a) => ({ rule: a._id, open: a.open, openedAt: a.openedAt ? a.openedAt.toISOString() : null, detail: a.detail ?? '' }))
      .sort((a, b) => Number(b.open) - Number(a.open) || a.rule.localeCompare(b.rule));
    for (const a of alerts) if (a.open) problems.push(`alert open since ${a.openedAt}: ${a.rule} — ${a.detail}`);
    abandonedRuns = abandoned.slice(0, 20).map((r) => ({ job: r.job, runKey: r.runKey, attempt: r.attempt, worker: r.worker, leaseExpiredAt: r.leaseUntil.toISOString() }));
    for (const c of catchUps) if (c.state === 'failed') problems.push(`catch-up on ${c.worker} failed after ${c.done} of ${c.total} runs: ${c.error ?? 'unknown error'}`);
    for (const r of abandonedRuns) problems.push(`run ${r.job} ${r.runKey} (attempt ${r.attempt}) was abandoned by ${r.worker}: its lease expired at ${r.leaseExpiredAt}; a worker retries it`);
    running = locked.length;
    stuckLocks = locked.filter((j) => now.getTime() - new Date(j.lockedAt as Date).getTime() > (lifetime.get(String(j.name)) ?? 600_000)).length;
    for (const p of providers) {
      if (p.breaker === 'open') problems.push(`${p.id} circuit breaker open (${p.consecutiveFailures} failures; last: ${p.lastError ?? 'unknown'})`);
      if (p.dailyLimit && p.callsToday >= p.dailyLimit * USAGE_ALERT_SHARE) problems.push(`${p.id} has used ${p.callsToday} of ${p.dailyLimit} requests today`);
    }
    if (stuckLocks > 0) problems.push(`${stuckLocks} job lock(s) older than their lifetime`);
    if (outbox.dead > 0) problems.push(`${outbox.dead} post(s) could not be delivered this week (dead)`);
    if (outbox.oldestPendingAt && now.getTime() - outbox.oldestPendingAt.getTime() > 15 * 60_000) problems.push('posts have waited more than 15 minutes');
    for (const j of jobs) if (j.lastRun?.status === 'failed') problems.push(`last run of ${j.name} failed: ${j.lastRun.error ?? 'unknown error'}`);
  }
  if (inp.discord && !inp.discord.ready) problems.push('Discord gateway is not connected');
  return {
    ok: problems.length === 0,
    checkedAt: now.toISOString(),
    uptimeSec: Math.round((now.getTime() - inp.startedAt.getTime()) / 1000),
    database: { ok: !dbError, kind: inp.databaseKind, pingMs, error: dbError },
    scheduler: { state: inp.schedulerRunning ? 'running' : 'not running here', queued, running, stuckLocks },
    outbox,
    providers,
    series,
    discord: inp.discord ?? null,
    jobs,
    catchUps,
    abandonedRuns,
    alerts,
    broker,
    congress,
    problems,
  };
}

/** Breaker state (recorded by whichever process last saw a change) and today's request count per provider. */
async function providerHealth(configured: HealthInputs['providers'], now: Date): Promise<ProviderHealth[]> {
  const [statuses, usage] = await Promise.all([ProviderStatus.find({}).lean(), apiUsageOn(todayIn('America/New_York', now))]);
  const ids = [configured?.primary, configured?.secondary, ...statuses.map((s) => s.provider), ...usage.map((u) => u.provider)].filter((x): x is string => !!x);
  return [...new Set(ids)].map((id) => {
    const st = statuses.find((s) => s.provider === id);
    const u = usage.find((x) => x.provider === id);
    return {
      id,
      role: id === configured?.primary ? 'primary' : id === configured?.secondary ? 'secondary' : 'other',
      breaker: id === 'demo' ? 'n/a' : ((st?.state as ProviderHealth['breaker'] | undefined) ?? 'closed'),
      consecutiveFailures: st?.consecutiveFailures ?? 0,
      lastError: st?.lastError ?? null,
      openedAt: st?.openedAt ? st.openedAt.toISOString() : null,
      lastSuccessAt: st?.lastSuccessAt ? st.lastSuccessAt.toISOString() : null,
      callsToday: u?.calls ?? 0,
      dailyLimit: u?.limit ?? null,
    };
  });
}
