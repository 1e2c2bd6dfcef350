import { Schema, model, type InferSchemaType } from 'mongoose';

/** A day's counter `_id`: "<provider>:<day>", so /health reads today's counters by `_id`. */
export const apiUsageId = (provider: string, day: string): string => `${provider}:${day}`;

/**
 * HTTP requests sent to a market-data provider on one New York calendar day. Shared by every
 * process, so the daily limit (Alpha Vantage: 25) holds across workers and the 80 % alert fires once.
 * One document a provider a day: read and written by `_id` (counters from before string ids keep
 * their ObjectId and are only read by the monthly usage report).
 */
const apiUsageSchema = new Schema(
  {
    _id: { type: Schema.Types.Mixed, default(this: { provider: string; day: string }) { return apiUsageId(this.provider, this.day); } },
    provider: { type: String, required: true },
    day: { type: String, required: true },
    calls: { type: Number, required: true },
    limit: { type: Number, default: null },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
apiUsageSchema.index({ provider: 1, day: 1 }, { unique: true });

export type ApiUsageDoc = InferSchemaType<typeof apiUsageSchema>;
export const ApiUsage = model('ApiUsage', apiUsageSchema, 'api_usage');

/**
 * One reserved request under a daily limit: "_id" = "<provider>:<day>#<n>", n = 1 … limit. Taking the
 * n-th request of the day is a unique insert, so the limit holds exactly across processes (a filtered
 * counter update is not atomic on the embedded FerretDB).
 */
const apiCallSchema = new Schema(
  { _id: { type: String, required: true }, provider: { type: String, required: true }, day: { type: String, required: true }, n: { type: Number, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);
apiCallSchema.index({ provider: 1, day: 1 });
export const ApiCall = model('ApiCall', apiCallSchema, 'api_calls');
