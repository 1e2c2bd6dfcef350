import { Schema, model, type InferSchemaType } from 'mongoose';

/** `missed`: a due slot the missed-run policy chose not to run (recorded with the reason). */
export const JOB_RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped', 'missed'] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];

/**
 * The record of one run of a job. (job, runKey) is unique; the right to run it is a lease taken by
 * unique insert (src/db/lease.ts, scope 'run'), attempt n = generation n. Only the lease holder
 * writes this record, so a scheduler that fires twice finds the key taken and does nothing.
 */
const jobRunSchema = new Schema(
  {
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
jobRunSchema.index({ job: 1, runKey: 1 }, { unique: true });
jobRunSchema.index({ job: 1, startedAt: -1 });
jobRunSchema.index({ startedAt: -1 });

export type JobRunDoc = InferSchemaType<typeof jobRunSchema>;
export const JobRun = model('JobRun', jobRunSchema, 'job_runs');
