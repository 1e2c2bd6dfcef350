import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * A prompt waiting for Confirm/Cancel (/config set, /rerun, /pause …). It outlives the process that
 * asked: any bot process answers a press from what is stored here. `_id` is the asking interaction's id
 * (the buttons carry it); `payload` is what the command needs to act, already validated when asked.
 */
const confirmationSchema = new Schema(
  {
    _id: { type: String, required: true },
    command: { type: String, required: true },
    subcommand: { type: String, default: null },
    action: { type: String, required: true },
    target: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, default: {} },
    invokerId: { type: String, required: true },
    invokerName: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
confirmationSchema.index({ expiresAt: 1 });

/**
 * The one answer a prompt gets (confirmed, cancelled, timeout, expired): taken by unique insert on the
 * prompt's id, so two presses (two processes, a double click) act at most once.
 */
const confirmationAnswerSchema = new Schema(
  {
    _id: { type: String, required: true },
    answer: { type: String, enum: ['confirmed', 'cancelled', 'timeout', 'expired'], required: true },
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
confirmationAnswerSchema.index({ at: 1 });

export type ConfirmationDoc = InferSchemaType<typeof confirmationSchema>;
export const Confirmation = model('Confirmation', confirmationSchema, 'confirmations');
export const ConfirmationAnswer = model('ConfirmationAnswer', confirmationAnswerSchema, 'confirmation_answers');
