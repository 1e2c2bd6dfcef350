import { Schema, model, type InferSchemaType } from 'mongoose';

/** `missed`: a due slot the missed-run policy chose not to run (recorded with the reason). */
export const JOB_RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped', 'missed'] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];

/** A run's `_id`: "<job>|<runKey>", so finding one run is an `_id` lookup on every engine. */
export const jobRunId = (job: string, runKey: string): string => `${job}|${runKey}`;

/**
 * The record of one run of a job, `_id` "<job>|<runKey>" (unique by construction); the right to run
 * it is a lease taken by unique insert (src/db/lease.ts, scope 'run'), attempt n = generation n. Only
 * the lease holder writes this record, so a scheduler that fires twice finds the key taken and does
 * nothing. This collection is history: it grows with the deployment's age, so nothing that runs often
 * reads it except by `_id` (src/scheduler/run-store.ts keeps the per-job summary and the open set).
 * Databases written before string ids are moved once at start-up (src/runtime/migrations.ts).
 */
const jobRunSchema = new Schema(
  {
    _id: { type: String, default(this: { job: string; runKey: string }) { return jobRunId(this.job, this.runKey); } },
    job: { type: String, required: true },
    runKey: { type: String, required: true },
    status: { type: String, enum: JOB_RUN_STATUSES, required: true },
    tradingDate: { type: String, default: null },
    trigger: { type: String, required: true },
    attempt: { type: Number, required: true },
    worker: { type: String, required: true },
    startedAt: { type: Date, required: true },
    leaseUntil: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    durationMs: { type: Number, default: null },
    error: { type: String, default: null },
    summary: { type: Schema.Types.Mixed, default: null },
    /** When a scheduled run was due (null for on-demand runs). */
    dueAt: { type: Date, default: null },
  },
  { versionKey: false, minimize: false },
);
jobRunSchema.index({ job: 1, startedAt: -1 });
jobRunSchema.index({ startedAt: -1 });

export type JobRunDoc = InferSchemaType<typeof jobRunSchema>;
export const JobRun = model('JobRun', jobRunSchema, 'job_runs');
