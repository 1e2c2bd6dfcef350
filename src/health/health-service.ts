import mongoose from 'mongoose';
import { pingDatabase } from '../db/connection.js';
import { describeError } from '../errors.js';
import { outboxStats, type OutboxStats } from '../notify/outbox.js';
import type { JobDefinition } from '../scheduler/job-definition.js';
import { listJobs, type JobView } from '../scheduler/jobs-service.js';
import { AGENDA_COLLECTION } from '../scheduler/worker.js';

export interface HealthReport {
  ok: boolean;
  checkedAt: string;
  uptimeSec: number;
  database: { ok: boolean; kind: string; pingMs: number | null; error: string | null };
  scheduler: { state: 'running' | 'not running here'; queued: number; running: number; stuckLocks: number };
  outbox: OutboxStats;
  discord: { ready: boolean; pingMs: number | null } | null;
  jobs: JobView[];
  problems: string[];
}

export interface HealthInputs {
  jobs: Map<string, JobDefinition>;
  databaseKind: string;
  schedulerRunning: boolean;
  startedAt: Date;
  now?: Date;
  /** The bot's gateway connection, when asked from the bot. */
  discord?: { ready: boolean; pingMs: number | null };
}

/** Database ping, Agenda backlog and stuck locks, last run of every job, outbox backlog, uptime. */
export async function getHealth(inp: HealthInputs): Promise<HealthReport> {
  const now = inp.now ?? new Date();
  const problems: string[] = [];
  let pingMs: number | null = null;
  let dbError: string | null = null;
  try {
    pingMs = Math.round((await pingDatabase()) * 10) / 10;
  } catch (err) {
    dbError = describeError(err);
    problems.push(`database: ${dbError}`);
  }
  let queued = 0;
  let running = 0;
  let stuckLocks = 0;
  let jobs: JobView[] = [];
  let outbox: OutboxStats = { pending: 0, dead: 0, sending: 0, oldestPendingAt: null };
  if (!dbError) {
    const coll = mongoose.connection.db!.collection(AGENDA_COLLECTION);
    const lifetime = new Map([...inp.jobs.values()].map((d) => [d.name, d.lockLifetimeMs]));
    const locked = await coll.find({ lockedAt: { $ne: null } }).toArray();
    running = locked.length;
    stuckLocks = locked.filter((j) => now.getTime() - new Date(j.lockedAt as Date).getTime() > (lifetime.get(String(j.name)) ?? 600_000)).length;
    queued = await coll.countDocuments({ nextRunAt: { $lte: now }, lockedAt: null, disabled: { $ne: true } });
    jobs = await listJobs(inp.jobs);
    outbox = await outboxStats();
    if (stuckLocks > 0) problems.push(`${stuckLocks} job lock(s) older than their lifetime`);
    if (outbox.dead > 0) problems.push(`${outbox.dead} post(s) could not be delivered (dead)`);
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
    discord: inp.discord ?? null,
    jobs,
    problems,
  };
}
