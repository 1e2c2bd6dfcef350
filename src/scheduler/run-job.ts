import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isIsoDate, todayIn, type IsoDate } from '../calendar/dates.js';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, MARKET_ZONE, closureReason } from '../calendar/nyse.js';
import type { Env } from '../config/env.js';
import { isDuplicateKey } from '../db/connection.js';
import { JobRun, type JobRunStatus } from '../db/models/job-run.js';
import { UserFacingError, describeError } from '../errors.js';
import { log } from '../log/logger.js';
import { enqueuePost } from '../notify/outbox.js';
import { COLORS } from '../notify/post.js';
import type { JobDefinition, JobTrigger } from './job-definition.js';

export const WORKER_ID = `${hostname()}:${process.pid}`;

export interface RunOptions {
  date?: string | undefined;
  force?: boolean | undefined;
  trigger: JobTrigger;
  now?: Date;
}

export type RunStatus = JobRunStatus | 'duplicate' | 'busy';

export interface RunResult {
  job: string;
  runKey: string;
  date: IsoDate;
  status: RunStatus;
  attempt: number;
  durationMs: number;
  summary: Record<string, unknown> | null;
  error: string | null;
  reason?: string;
}

export function validateRunDate(date: string): IsoDate {
  const year = Number(date.slice(0, 4));
  if (!isIsoDate(date) || year < CALENDAR_FIRST_YEAR || year > CALENDAR_LAST_YEAR) {
    throw new UserFacingError(
      'BAD_DATE',
      `"${date}" is not a usable date: give a calendar date as YYYY-MM-DD between ${CALENDAR_FIRST_YEAR}-01-01 and ${CALENDAR_LAST_YEAR}-12-31.`,
    );
  }
  return date;
}

export function runKeyFor(def: JobDefinition, date: IsoDate, now: Date): string {
  if (def.runKeyEvery === 'tradingDate') return date;
  const slotMs = def.runKeyEvery.minutes * 60_000;
  return new Date(Math.floor(now.getTime() / slotMs) * slotMs).toISOString().slice(0, 16);
}

type Claim = { claimed: true; id: unknown; attempt: number } | { claimed: false; status: RunStatus; existing: { attempt: number; summary: unknown; error: string | null } };

/**
 * Claim (job, runKey) before any effect. The unique index lets exactly one claimant in; a
 * second one finds the key done (duplicate), running under a live lease (busy), or failed or
 * abandoned by a crashed worker (lease expired): then it takes the run over, attempt + 1.
 * `force` re-runs a finished key; the job's own effects are idempotent, so this changes nothing
 * that was right already.
 */
async function claim(def: JobDefinition, runKey: string, date: IsoDate, opts: RunOptions, now: Date): Promise<Claim> {
  const lease = new Date(now.getTime() + def.lockLifetimeMs);
  try {
    const doc = await JobRun.create({
      job: def.name, runKey, status: 'running', tradingDate: date, trigger: opts.trigger, attempt: 1,
      worker: WORKER_ID, startedAt: now, leaseUntil: lease,
    });
    return { claimed: true, id: doc._id, attempt: 1 };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const existing = await JobRun.findOne({ job: def.name, runKey }).lean();
  if (!existing) throw new Error(`job run ${def.name}/${runKey} vanished while being claimed`);
  const live = existing.status === 'running' && existing.leaseUntil > now;
  const finished = existing.status === 'succeeded' || existing.status === 'skipped';
  if (live) return { claimed: false, status: 'busy', existing: { attempt: existing.attempt, summary: existing.summary, error: existing.error ?? null } };
  if (finished && !opts.force) return { claimed: false, status: 'duplicate', existing: { attempt: existing.attempt, summary: existing.summary, error: existing.error ?? null } };
  const taken = await JobRun.findOneAndUpdate(
    { _id: existing._id, status: existing.status, attempt: existing.attempt },
    {
      $set: { status: 'running', trigger: opts.trigger, worker: WORKER_ID, startedAt: now, leaseUntil: lease, finishedAt: null, durationMs: null, error: null },
      $inc: { attempt: 1 },
    },
    { returnDocument: 'after' },
  ).lean();
  if (!taken) return { claimed: false, status: 'busy', existing: { attempt: existing.attempt, summary: existing.summary, error: existing.error ?? null } };
  return { claimed: true, id: taken._id, attempt: taken.attempt };
}

/** Run one job for one trading date: calendar check, claim, handler, JobRun record, failure alert. */
export async function runJob(def: JobDefinition, env: Env, opts: RunOptions): Promise<RunResult> {
  const now = opts.now ?? new Date();
  const date = opts.date !== undefined ? validateRunDate(opts.date) : todayIn(MARKET_ZONE, now);
  const runKey = runKeyFor(def, date, now);
  const runId = randomUUID();
  const logger = log().child({ job: def.name, runId, tradingDate: date, runKey });
  const started = performance.now();
  const base = { job: def.name, runKey, date };

  if (def.marketDaysOnly) {
    const closed = closureReason(date);
    if (closed) {
      // A skipped day is still a run on record (first writer wins; a repeat changes nothing).
      await JobRun.create({
        job: def.name, runKey, status: 'skipped', tradingDate: date, trigger: opts.trigger, attempt: 1, worker: WORKER_ID,
        startedAt: now, leaseUntil: now, finishedAt: now, durationMs: 0, summary: { skipped: `market closed: ${closed}` },
      }).catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
      logger.info({ reason: closed }, 'market closed: job skipped');
      return { ...base, status: 'skipped', attempt: 1, durationMs: 0, summary: { skipped: `market closed: ${closed}` }, error: null, reason: `market closed: ${closed}` };
    }
  }

  const c = await claim(def, runKey, date, opts, now);
  if (!c.claimed) {
    logger.info({ status: c.status }, c.status === 'busy' ? 'another worker holds this run' : 'already done for this key');
    return {
      ...base, status: c.status, attempt: c.existing.attempt, durationMs: 0,
      summary: (c.existing.summary as Record<string, unknown> | null) ?? null, error: c.existing.error,
      reason: c.status === 'busy' ? 'another worker is running it' : 'already done (use --force to run it again)',
    };
  }

  const renew = setInterval(() => {
    JobRun.updateOne({ _id: c.id, status: 'running' }, { $set: { leaseUntil: new Date(Date.now() + def.lockLifetimeMs) } }).catch(() => undefined);
  }, Math.max(1_000, Math.floor(def.lockLifetimeMs / 3)));
  renew.unref();

  logger.info({ attempt: c.attempt, trigger: opts.trigger }, 'job started');
  try {
    const outcome = await def.handler({
      job: def.name, date, runKey, runId, attempt: c.attempt, force: Boolean(opts.force), trigger: opts.trigger, env, log: logger,
      publish: async (key, post) => {
        await enqueuePost(key, post);
      },
    });
    const durationMs = Math.round(performance.now() - started);
    await JobRun.updateOne({ _id: c.id }, { $set: { status: 'succeeded', finishedAt: new Date(), durationMs, summary: outcome.summary, error: null } });
    logger.info({ durationMs, summary: outcome.summary }, 'job succeeded');
    return { ...base, status: 'succeeded', attempt: c.attempt, durationMs, summary: outcome.summary, error: null };
  } catch (err) {
    const durationMs = Math.round(performance.now() - started);
    const message = describeError(err);
    await JobRun.updateOne({ _id: c.id }, { $set: { status: 'failed', finishedAt: new Date(), durationMs, error: message.slice(0, 2_000) } });
    logger.error({ err, durationMs }, 'job failed');
    await enqueuePost(`job-failed:${def.name}:${runKey}:${c.attempt}`, {
      kind: 'ops',
      title: `Job failed: ${def.name}`,
      description: `Run ${runKey} (attempt ${c.attempt}) failed:\n${message.slice(0, 1_500)}`,
      fields: [{ name: 'Retry', value: `\`signaldesk run ${def.name} --date ${date}\` or /rerun` }],
      color: COLORS.bad,
      urgent: true,
    }).catch((e: unknown) => logger.error({ err: e }, 'could not queue the failure alert'));
    return { ...base, status: 'failed', attempt: c.attempt, durationMs, summary: null, error: message };
  } finally {
    clearInterval(renew);
  }
}
