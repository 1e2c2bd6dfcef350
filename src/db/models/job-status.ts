import { Schema, model, type InferSchemaType } from 'mongoose';

/** One run as a job's summary keeps it (the fields /jobs shows). */
export interface StoredRun {
  runKey: string;
  status: string;
  trigger: string;
  attempt: number;
  worker: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  leaseUntil: Date | null;
  durationMs: number | null;
  error: string | null;
  summary: Record<string, unknown> | null;
  dueAt: Date | null;
  tradingDate: string | null;
}

/**
 * One document per job (`_id` = the job's name): its latest runs, its latest slot on record and its
 * finished/failed counts in ten-minute buckets. It is what /jobs, /health, the health monitor and the
 * catch-up read instead of `job_runs`, so their cost does not grow with the deployment's age: the
 * collection holds one small document per job, on every engine.
 *
 * Written by whoever records a run (src/scheduler/run-store.ts), read-merge-write. On the embedded
 * FerretDB two writers of the same job at the same instant can lose one of their merges; the record of
 * truth is the run itself in `job_runs` (`_id` lookups), and this summary is what a person reads.
 */
export interface JobSummary {
  _id: string;
  /** Newest first, the last few (RECENT_RUNS in src/scheduler/run-store.ts); the longer list is in `job_history`. */
  recent: StoredRun[];
  lastSucceeded: StoredRun | null;
  /** The latest slot on record (scheduled, caught-up and missed runs): where the catch-up starts. */
  lastDueAt: Date | null;
  lastStartedAt: Date | null;
  /** Finished and failed runs per ten-minute bucket (start of the bucket), the last two hours. */
  buckets: Array<{ at: Date; finished: number; failed: number }>;
  updatedAt: Date;
}

// Plain values inside (no sub-document machinery): the document is read and written whole.
const jobStatusSchema = new Schema<JobSummary>(
  {
    _id: { type: String, required: true },
    recent: { type: Schema.Types.Mixed, default: [] },
    lastSucceeded: { type: Schema.Types.Mixed, default: null },
    lastDueAt: { type: Date, default: null },
    lastStartedAt: { type: Date, default: null },
    buckets: { type: Schema.Types.Mixed, default: [] },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

export const JobStatus = model<JobSummary>('JobStatus', jobStatusSchema, 'job_status');

/** A job's last runs, newest first (`_id` = the job's name): `jobs history` reads one document. */
export interface JobHistoryDoc {
  _id: string;
  runs: StoredRun[];
}
const jobHistorySchema = new Schema<JobHistoryDoc>(
  { _id: { type: String, required: true }, runs: { type: Schema.Types.Mixed, default: [] } },
  { versionKey: false, minimize: false },
);
export const JobHistory = model<JobHistoryDoc>('JobHistory', jobHistorySchema, 'job_history');

/**
 * The runs that may still need work (`_id` = the run's id): claimed and not yet succeeded, or failed
 * with attempts left. Inserted before a run's record says `running`, deleted when it succeeds or gives
 * up. The recovery sweep and /health's abandoned runs read this set, which stays as small as the work
 * in flight, instead of scanning `job_runs`.
 */
const openRunSchema = new Schema(
  {
    _id: { type: String, required: true },
    job: { type: String, required: true },
    runKey: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
export const OpenRun = model('OpenRun', openRunSchema, 'open_runs');

/** One-time data migrations done (`_id` = the migration's name), so a start-up checks each by `_id`. */
const migrationSchema = new Schema({ _id: { type: String, required: true }, at: { type: Date, required: true }, by: { type: String, required: true } }, { versionKey: false });
export const Migration = model('Migration', migrationSchema, 'migrations');

/**
 * A worker's catch-up after downtime, as it goes (`_id` = the worker's id): /readyz, /jobs and /health
 * show "catching up n of m" from it while the worker already serves commands and deliveries.
 */
const catchUpStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    state: { type: String, enum: ['planning', 'running', 'done', 'failed'], required: true },
    done: { type: Number, required: true },
    total: { type: Number, required: true },
    current: { type: String, default: null },
    downSince: { type: Date, default: null },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    error: { type: String, default: null },
    /** When its worker last wrote it (at each run and every minute while it runs): a catch-up not written for minutes was interrupted. */
    savedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
export type CatchUpStateDoc = InferSchemaType<typeof catchUpStateSchema>;
export const CatchUpState = model('CatchUpState', catchUpStateSchema, 'catch_ups');
