import { Schema, model, type InferSchemaType } from 'mongoose';

/** How posts are routed: per alert type a mode and an optional channel override; quiet hours. One document. */
const alertPolicySchema = new Schema(
  {
    key: { type: String, required: true },
    routes: { type: Schema.Types.Mixed, required: true },
    quiet: { type: Schema.Types.Mixed, default: null },
    updatedBy: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
alertPolicySchema.index({ key: 1 }, { unique: true });

export type AlertPolicyDoc = InferSchemaType<typeof alertPolicySchema>;
export const AlertPolicy = model('AlertPolicy', alertPolicySchema, 'alert_policy');
