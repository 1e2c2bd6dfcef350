import { Schema, model } from 'mongoose';

/**
 * One request's place in a provider's per-minute limit, shared by every process: `_id`
 * "<provider>|<minute>#<n>" for n below the limit, taken by unique insert (rate-gate.ts). Pruned after a day.
 */
const rateSlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    provider: { type: String, required: true },
    at: { type: Date, required: true },
    by: { type: String, required: true },
  },
  { versionKey: false },
);
export const RateSlot = model('RateSlot', rateSlotSchema, 'rate_slots');
