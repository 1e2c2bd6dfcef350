import { Schema, model, type InferSchemaType } from 'mongoose';

export const JOB_RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped'] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];

/**
 * One claimed run of a job. (job, runKey) is unique: a run claims its key before any effect,
 * so a scheduler that fires twice finds the key taken and does nothing.
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
  },
  { versionKey: false, minimize: false },
);
jobRunSchema.index({ job: 1, runKey: 1 }, { unique: true });
jobRunSchema.index({ job: 1, startedAt: -1 });
jobRunSchema.index({ startedAt: -1 });

export type JobRunDoc = InferSchemaType<typeof jobRunSchema>;
export const JobRun = model('JobRun', jobRunSchema, 'job_runs');
