import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * The health monitor's memory: one document per rule ("_id" = rule name), open or not, so an alert is
 * posted when it opens, reminded after hours, and resolved once. Written only by the health-check run
 * that holds its slot's claim.
 */
const alertStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    open: { type: Boolean, required: true },
    openedAt: { type: Date, default: null },
    lastNotifiedAt: { type: Date, default: null },
    detail: { type: String, default: '' },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export type AlertStateDoc = InferSchemaType<typeof alertStateSchema>;
export const AlertState = model('AlertState', alertStateSchema, 'alert_states');
