import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { todayIn, type IsoDate } from '../calendar/dates.js';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, MARKET_ZONE, closureReason, isCalendarDate } from '../calendar/nyse.js';
import { slotRunKey } from './slots.js';
import type { Env } from '../config/env.js';
import { controlDb } from '../db/connection.js';
import { leaseTaken, releaseLease, renewLease, stillHeld, takeLease, type HeldLease } from '../db/lease.js';
import { JobRun, jobRunId, type JobRunStatus } from '../db/models/job-run.js';
import { closeRun, getRun, insertRun, openRun, updateRun, type RunRecord } from './run-store.js';
import { UserFacingError, describeError } from '../errors.js';
import { jobDuration, jobRuns } from '../health/metrics.js';
import { log } from '../log/logger.js';
import { enqueuePost } from '../notify/outbox.js';
import { COLORS } from '../notify/post.js';
import type { HandlerRun, JobDefinition, JobOutcome, JobTrigger } from './job-definition.js';

export type { HandlerRun };

export const WORKER_ID = `${hostname()}:${process.pid}`;

let handlerRunner: ((run: HandlerRun) => Promise<JobOutcome>) | undefined;

/**
 * Where job handlers run: in this thread (undefined, the default) or elsewhere (a heavy-work thread
 * pool, in a process whose event loop also answers Discord). Claims, leases and run records stay here.
 */
export function setHandlerRunner(runner: ((run: HandlerRun) => Promise<JobOutcome>) | undefined): void {
  handlerRunner = runner;
}

export interface RunOptions {
  date?: string | undefined;
  force?: boolean | undefined;
  trigger: JobTrigger;
  now?: Date;
  /** The run key to claim (recovery re-runs an existing key); default: from the date or the time slot. */
  runKey?: string | undefined;
  /** When the run was due (scheduled and recovered runs). */
  dueAt?: Date | undefined;
  /** How often the lease is renewed while the handler works (default a third of its life; tests race it). */
  renewEveryMs?: number | undefined;
}

/** `lost`: the run's lease ran out under it (a stalled worker); whoever took it over records the outcome. */
export type RunStatus = JobRunStatus | 'duplicate' | 'busy' | 'lost';

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
  if (!isCalendarDate(date)) {
    throw new UserFacingError(
      'BAD_DATE',
      `"${date}" is not a usable date: give a calendar date as YYYY-MM-DD between ${CALENDAR_FIRST_YEAR}-01-01 and ${CALENDAR_LAST_YEAR}-12-31.`,
    );
  }
  return date;
}

export function runKeyFor(def: JobDefinition, date: IsoDate, now: Date): string {
  return def.runKeyEvery === 'tradingDate' ? date : slotRunKey(def, now);
}

/** How long a run's claim lasts without renewal: a dead worker's run is taken over within about this. */
export const RUN_LEASE_MS = 30_000;
const RENEW_EVERY_MS = RUN_LEASE_MS / 3;
export const RUN_SCOPE = 'run';

// 'missed' is not finished: an operator may still run a slot the policy skipped.
const FINISHED = new Set(['succeeded', 'skipped']);

type Claim =
  | { claimed: true; record: RunRecord; lease: HeldLease }
  | { claimed: false; status: RunStatus; existing: { attempt: number; summary: unknown; error: string | null } };

function notClaimed(status: RunStatus, rec: { attempt: number; summary?: unknown; error?: string | null } | null): Claim {
  return { claimed: false, status, existing: { attempt: rec?.attempt ?? 0, summary: rec?.summary ?? null, error: rec?.error ?? null } };
}

/**
 * Claim (job, runKey) before any effect. Attempt n is the lease "run:<job>|<runKey>#n", taken by a
 * unique insert (never by a filtered update: the embedded FerretDB does not make those atomic across
 * connections). A second claimant finds the key done (duplicate), held by a live lease (busy), or
 * failed or abandoned by a dead worker (lease expired): then it takes attempt n + 1. `force`
 * re-runs a finished key; two forced runs at once still get one holder. Every read here is by `_id`.
 */
async function claim(def: JobDefinition, runKey: string, date: IsoDate, opts: RunOptions, now: Date): Promise<Claim> {
  const key = jobRunId(def.name, runKey);
  // Leases always run on the real clock (a controlled `now` only dates the record).
  const clock = new Date();
  const rec = await getRun(def.name, runKey);
  if (rec && FINISHED.has(rec.status) && !opts.force) return notClaimed('duplicate', rec);
  if (rec && rec.status === 'running' && rec.leaseUntil > clock) return notClaimed('busy', rec);
  const lease = await takeLease(RUN_SCOPE, key, { fromGen: (rec?.attempt ?? 0) + 1, ttlMs: RUN_LEASE_MS, now: clock });
  if (!lease) return notClaimed('busy', await getRun(def.name, runKey));
  // Our first read may be stale: the key may have finished between it and our insert.
  const fresh = await getRun(def.name, runKey);
  if (fresh && FINISHED.has(fresh.status) && !opts.force) {
    await releaseLease(lease);
    return notClaimed('duplicate', fresh);
  }
  // Open before the record says `running`: a crash from here on is found by the recovery sweep.
  await openRun(def.name, runKey, now);
  const record: RunRecord = {
    job: def.name, runKey, status: 'running', tradingDate: date, trigger: opts.trigger, attempt: lease.gen, worker: WORKER_ID, startedAt: now,
    leaseUntil: lease.until, finishedAt: null, durationMs: null, error: null, summary: null, dueAt: opts.dueAt ?? fresh?.dueAt ?? null,
  };
  // We hold the lease: whatever is on record for the key (a skipped day, a missed slot, an earlier attempt) is ours to overwrite.
  if (fresh || !(await insertRun(record))) await updateRun(record);
  return { claimed: true, record, lease };
}

/** True while this run's lease is ours: not run out on our clock, and no later attempt exists (`_id` lookups). */
async function leaseIntact(lease: HeldLease): Promise<boolean> {
  if (!stillHeld(lease)) return false;
  return !(await leaseTaken(lease.scope, lease.key, lease.gen + 1));
}

/** The ops alert for a failed run: once per key on the first failure, and once more when retries are used up. */
async function alertFailure(def: JobDefinition, runKey: string, date: IsoDate, attempt: number, message: string): Promise<void> {
  const last = attempt >= def.maxAttempts;
  const key = last && attempt > 1 ? `job-gave-up:${def.name}:${runKey}` : `job-failed:${def.name}:${runKey}`;
  if (!last && attempt > 1) return;
  await enqueuePost(key, {
    kind: 'ops',
    title: last && attempt > 1 ? `Job failed ${attempt} times, not retried: ${def.name}` : `Job failed: ${def.name}`,
    description: `Run ${runKey} (attempt ${attempt}) failed:\n${message.slice(0, 1_500)}`,
    fields: [{
      name: 'Retry',
      value: last ? `\`signaldesk run ${def.name} --date ${date} --force\` or /rerun` : `automatic, up to ${def.maxAttempts} attempts; or \`signaldesk run ${def.name} --date ${date}\``,
    }],
    color: COLORS.bad,
    urgent: true,
  });
}

/** Run one job for one trading date: calendar check, claim, handler, JobRun record, failure alert. */
export async function runJob(def: JobDefinition, env: Env, opts: RunOptions): Promise<RunResult> {
  const now = opts.now ?? new Date();
  const date = opts.date !== undefined ? validateRunDate(opts.date) : todayIn(MARKET_ZONE, now);
  const runKey = opts.runKey ?? runKeyFor(def, date, now);
  const runId = randomUUID();
  const logger = log().child({ job: def.name, runId, tradingDate: date, runKey });
  const started = performance.now();
  const base = { job: def.name, runKey, date };

  if (def.marketDaysOnly) {
    const closed = closureReason(date);
    if (closed) {
      // A skipped day is still a run on record (first writer wins; a repeat changes nothing).
      await insertRun({
        job: def.name, runKey, status: 'skipped', tradingDate: date, trigger: opts.trigger, attempt: 1, worker: WORKER_ID,
        startedAt: now, leaseUntil: now, finishedAt: now, durationMs: 0, error: null, summary: { skipped: `market closed: ${closed}` }, dueAt: opts.dueAt ?? null,
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

  // Renew the short lease while the handler works; when it cannot be renewed the run is lost to a
  // taker: the handler is told through `signal`, and this runner records nothing more.
  const abort = new AbortController();
  // The run record has one writer at a time: the renewal's `leaseUntil` write and the final update both
  // touch it, and the embedded FerretDB loses one of two simultaneous updates to a document (a finished
  // run left `running` for good). So the renewal is stopped, and its write in flight awaited, before the end.
  let renewal: Promise<void> | undefined;
  let renewalStopped = false;
  const renew = setInterval(() => {
    if (renewal || renewalStopped || abort.signal.aborted) return;
    renewal = renewLease(c.lease, RUN_LEASE_MS)
      .then(async (ok) => {
        if (!ok) {
          abort.abort(new Error('run lease lost'));
          return;
        }
        if (renewalStopped) return;
        await controlDb().collection<{ _id: string }>(JobRun.collection.collectionName).updateOne({ _id: jobRunId(def.name, runKey), attempt: c.record.attempt }, { $set: { leaseUntil: c.lease.until } });
      })
      .catch(() => {
        // The database is away: keep trying until the lease runs out on our own clock.
        if (!stillHeld(c.lease)) abort.abort(new Error('run lease lost'));
      })
      .finally(() => {
        renewal = undefined;
      });
  }, opts.renewEveryMs ?? RENEW_EVERY_MS);
  renew.unref();
  const stopRenewal = async (): Promise<void> => {
    renewalStopped = true;
    clearInterval(renew);
    await renewal;
  };

  logger.info({ attempt: c.record.attempt, trigger: opts.trigger }, 'job started');
  // Dated on the run's clock: a run under a controlled clock finishes on that clock too.
  const finishTime = (durationMs: number): Date => (opts.now ? new Date(now.getTime() + durationMs) : new Date());
  const lostResult = (): RunResult => {
    logger.warn({ attempt: c.record.attempt }, 'run lease lost before the outcome was recorded; the worker that took it over records it');
    return { ...base, status: 'lost', attempt: c.record.attempt, durationMs: Math.round(performance.now() - started), summary: null, error: 'lease lost', reason: 'the run was taken over by another worker' };
  };
  try {
    const run: HandlerRun = { job: def.name, date, runKey, runId, attempt: c.record.attempt, force: Boolean(opts.force), trigger: opts.trigger, now: now.toISOString(), signal: abort.signal };
    const outcome = handlerRunner
      ? await handlerRunner(run)
      : await def.handler({
        ...run, env, log: logger,
        publish: async (key, post) => {
          await enqueuePost(key, post);
        },
      });
    const durationMs = Math.round(performance.now() - started);
    await stopRenewal();
    if (abort.signal.aborted || !(await leaseIntact(c.lease))) return lostResult();
    const finishedAt = finishTime(durationMs);
    await updateRun({ ...c.record, status: 'succeeded', finishedAt, durationMs, summary: outcome.summary, error: null, leaseUntil: finishedAt });
    await closeRun(def.name, runKey);
    await releaseLease(c.lease).catch(() => undefined);
    jobRuns.inc({ job: def.name, outcome: 'succeeded' });
    jobDuration.observe({ job: def.name, outcome: 'succeeded' }, durationMs / 1000);
    logger.info({ durationMs, summary: outcome.summary }, 'job succeeded');
    return { ...base, status: 'succeeded', attempt: c.record.attempt, durationMs, summary: outcome.summary, error: null };
  } catch (err) {
    const durationMs = Math.round(performance.now() - started);
    const message = describeError(err);
    jobRuns.inc({ job: def.name, outcome: 'failed' });
    jobDuration.observe({ job: def.name, outcome: 'failed' }, durationMs / 1000);
    logger.error({ err, durationMs }, 'job failed');
    await stopRenewal();
    if (abort.signal.aborted) return lostResult();
    try {
      if (!(await leaseIntact(c.lease))) return lostResult();
      const finishedAt = finishTime(durationMs);
      await updateRun({ ...c.record, status: 'failed', finishedAt, durationMs, error: message.slice(0, 2_000), leaseUntil: finishedAt });
      // Out of attempts: nothing left for the recovery sweep (an operator re-runs it with --force).
      if (c.record.attempt >= def.maxAttempts) await closeRun(def.name, runKey);
      await releaseLease(c.lease).catch(() => undefined);
      await alertFailure(def, runKey, date, c.record.attempt, message);
    } catch (e) {
      // The database itself is away: the run stays 'running' until its lease expires, and the
      // recovery sweep retries it when the database is back.
      logger.error({ err: describeError(e) }, 'could not record the failure; the run will be retried after its lease expires');
    }
    return { ...base, status: 'failed', attempt: c.record.attempt, durationMs, summary: null, error: message };
  } finally {
    clearInterval(renew);
  }
}
