import { Schema, model, type InferSchemaType } from 'mongoose';

/** Who did what, when, from what to what, and how it ended. Written for every state change and denial. */
const auditEntrySchema = new Schema(
  {
    at: { type: Date, required: true },
    actorId: { type: String, required: true },
    actorName: { type: String, required: true },
    source: { type: String, enum: ['discord', 'cli', 'job', 'system'], required: true },
    action: { type: String, required: true },
    target: { type: String, default: null },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    result: { type: String, enum: ['ok', 'denied', 'refused', 'error', 'cancelled'], required: true },
    reason: { type: String, default: null },
  },
  { versionKey: false, minimize: false },
);
auditEntrySchema.index({ at: -1 });
auditEntrySchema.index({ action: 1, at: -1 });

export type AuditEntryDoc = InferSchemaType<typeof auditEntrySchema>;
export const AuditEntry = model('AuditEntry', auditEntrySchema, 'audit_entries');
