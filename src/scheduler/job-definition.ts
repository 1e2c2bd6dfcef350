import type { Logger } from 'pino';
import type { IsoDate } from '../calendar/dates.js';
import type { Env } from '../config/env.js';
import type { PostInput } from '../notify/post.js';

/** Agenda's collection (the scheduler's jobs and their locks); here, not in worker.ts, so readers need not load Agenda. */
export const AGENDA_COLLECTION = 'agendaJobs';

/** What to do with slots that passed while no worker ran them (planned by slots.ts's planMissed). */
export type MissedRunPolicy = 'catch-up' | 'latest' | 'skip';

export type JobTrigger = 'schedule' | 'cli' | 'discord' | 'test' | 'recovery' | 'catch-up';

/** One handler call as data: what a heavy-work thread needs to run it, plus the lease's abort signal. */
export interface HandlerRun {
  job: string;
  date: IsoDate;
  runKey: string;
  runId: string;
  attempt: number;
  force: boolean;
  trigger: JobTrigger;
  /** The run's clock (ISO): the real time, or the controlled one a test or a catch-up passes. */
  now: string;
  /** Aborted when the run's lease is lost (a stalled worker): stop early, effects are idempotent anyway. */
  signal: AbortSignal;
}

/** What a handler receives: the trading date it runs for, and the edges it may touch. */
export interface JobContext extends HandlerRun {
  env: Env;
  log: Logger;
  /** Queue a post in the outbox; the key makes a re-run queue it once. */
  publish(key: string, post: PostInput): Promise<void>;
}

export interface JobOutcome {
  /** Plain data stored on the JobRun and shown by `jobs` and /jobs. */
  summary: Record<string, unknown>;
}

/** The module contract of a file in jobs/. */
export interface JobModule {
  name: string;
  description: string;
  /**
   * Cron in `timezone` (default: SCHEDULE_TIMEZONE); absent for on-demand jobs. `earlyClose`: the cron
   * used instead on NYSE early-close days (13:00), for jobs due before a normal close (closing-scan 12:45).
   */
  schedule?: { cron: string; timezone?: string; earlyClose?: string } | undefined;
  options?: {
    /** Runs only on NYSE trading days (cron knows no holidays). Default true. */
    marketDaysOnly?: boolean;
    concurrency?: number;
    lockLifetimeMs?: number;
    /** How one run is told from another: by trading date (default) or by time slot in minutes. */
    runKeyEvery?: 'tradingDate' | { minutes: number };
    /** Attempts before a failing run is given up (retried by the recovery sweep). Default 3; 1 for slot jobs. */
    maxAttempts?: number;
    /**
     * Slots that passed while no worker ran: `catch-up` runs every one, oldest first (jobs a later day
     * depends on); `latest` only the most recent (scans, reports; the default); `skip` none.
     */
    missedRuns?: MissedRunPolicy;
  };
  handler(ctx: JobContext): Promise<JobOutcome>;
}

export interface JobDefinition {
  name: string;
  description: string;
  schedule: { cron: string; timezone: string; earlyClose?: string | undefined } | undefined;
  marketDaysOnly: boolean;
  concurrency: number;
  lockLifetimeMs: number;
  runKeyEvery: 'tradingDate' | { minutes: number };
  maxAttempts: number;
  missedRuns: MissedRunPolicy;
  handler(ctx: JobContext): Promise<JobOutcome>;
}

export function toDefinition(mod: JobModule, defaultZone: string): JobDefinition {
  // Jobs keyed by a time slot (every minute, every 5 minutes) are not retried and not caught up.
  const slotKeyed = mod.options?.runKeyEvery !== undefined && mod.options.runKeyEvery !== 'tradingDate';
  return {
    name: mod.name,
    description: mod.description,
    schedule: mod.schedule ? { cron: mod.schedule.cron, timezone: mod.schedule.timezone ?? defaultZone, ...(mod.schedule.earlyClose ? { earlyClose: mod.schedule.earlyClose } : {}) } : undefined,
    marketDaysOnly: mod.options?.marketDaysOnly ?? true,
    concurrency: mod.options?.concurrency ?? 1,
    lockLifetimeMs: mod.options?.lockLifetimeMs ?? 10 * 60_000,
    runKeyEvery: mod.options?.runKeyEvery ?? 'tradingDate',
    maxAttempts: mod.options?.maxAttempts ?? (slotKeyed ? 1 : 3),
    missedRuns: mod.options?.missedRuns ?? (slotKeyed ? 'skip' : 'latest'),
    handler: mod.handler,
  };
}
