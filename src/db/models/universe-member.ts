import { Schema, model, type InferSchemaType } from 'mongoose';

/** Membership of the scanned universe as of the last stock-universe-update (history kept: removed ≠ deleted). */
const universeMemberSchema = new Schema(
  {
    symbol: { type: String, required: true },
    name: { type: String, required: true },
    sector: { type: String, required: true },
    indices: { type: [String], default: [] },
    active: { type: Boolean, required: true },
    addedAt: { type: Date, required: true },
    removedAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
universeMemberSchema.index({ symbol: 1 }, { unique: true });

export type UniverseMemberDoc = InferSchemaType<typeof universeMemberSchema>;
export const UniverseMember = model('UniverseMember', universeMemberSchema, 'universe_members');
