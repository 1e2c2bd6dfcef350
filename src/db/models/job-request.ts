import { Schema, model } from 'mongoose';

/**
 * One on-demand run request (/rerun, `signaldesk run` through the worker): `_id` is the request id
 * carried in the Agenda job's data. The worker inserts it before running: a scheduler that fires the
 * same one-off job twice (Agenda's lock is advisory on the embedded database) runs it once.
 */
const jobRequestSchema = new Schema(
  { _id: { type: String, required: true }, job: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);
jobRequestSchema.index({ at: 1 });

export const JobRequest = model('JobRequest', jobRequestSchema, 'job_requests');
