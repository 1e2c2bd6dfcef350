import { Schema, model, type InferSchemaType } from 'mongoose';

/** The last circuit-breaker change of a provider in any process (the latest wins), for /health. */
const providerStatusSchema = new Schema(
  {
    provider: { type: String, required: true },
    process: { type: String, required: true },
    state: { type: String, enum: ['closed', 'open', 'half-open'], required: true },
    consecutiveFailures: { type: Number, required: true },
    openedAt: { type: Date, default: null },
    lastError: { type: String, default: null },
    lastSuccessAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
providerStatusSchema.index({ provider: 1 }, { unique: true });

export type ProviderStatusDoc = InferSchemaType<typeof providerStatusSchema>;
export const ProviderStatus = model('ProviderStatus', providerStatusSchema, 'provider_status');
