import { Schema, model, type InferSchemaType } from 'mongoose';

/** `suppressed`: the alert type was switched off when the post was due; kept, not delivered. */
export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'dead', 'suppressed'] as const;

/**
 * A post waiting to be delivered. The idempotency key is unique, so a job that runs twice queues
 * its post once. A deliverer claims attempt n of a post by inserting lease "outbox:<id>#n" (see
 * src/db/lease.ts), so two deliverers never send the same attempt. `sending` is a legacy status
 * (claims used to live on the row); it is treated as pending.
 */
const outboxSchema = new Schema(
  {
    idempotencyKey: { type: String, required: true },
    channelKey: { type: String, required: true },
    post: { type: Schema.Types.Mixed, required: true },
    status: { type: String, enum: OUTBOX_STATUSES, required: true },
    attempts: { type: Number, required: true },
    nextAttemptAt: { type: Date, required: true },
    leaseUntil: { type: Date, default: null },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
    sink: { type: String, default: null },
    /**
     * Where the post goes, fixed when it is queued: { sink: 'discord', channelId } | { sink: 'webhook',
     * target: <hash of the URL> } | { sink: 'console' }. Only a process that can serve it delivers it.
     * Null on rows queued before destinations existed: any deliverer may take those.
     */
    destination: { type: Schema.Types.Mixed, default: null },
  },
  { versionKey: false, minimize: false },
);
outboxSchema.index({ idempotencyKey: 1 }, { unique: true });
outboxSchema.index({ status: 1, nextAttemptAt: 1 });

export type OutboxDoc = InferSchemaType<typeof outboxSchema>;
export const Outbox = model('Outbox', outboxSchema, 'outbox');

/**
 * The posts still to deliver, or dead (`_id` = the post's idempotency key, `row` = its outbox `_id`).
 * The outbox keeps every sent post for its retention, so a deliverer polling every few seconds reads
 * this set, which stays as small as the backlog, and fetches each row by `_id`. Inserted before the
 * row (a crash in between is completed by the next enqueue of the same key), deleted when the post is
 * sent, suppressed or dead (a dead post is noted in `outbox_dead` for a week, for /health's counts).
 */
const outboxQueueSchema = new Schema(
  {
    _id: { type: String, required: true },
    row: { type: Schema.Types.ObjectId, required: true },
    channelKey: { type: String, required: true },
    nextAttemptAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    /** Until when a deliverer holds the current attempt (for /health's "sending"). */
    claimedUntil: { type: Date, default: null },
    /** Who the post is for: deliverers skip what they cannot serve without reading the row. */
    destination: { type: Schema.Types.Mixed, default: null },
  },
  { versionKey: false, minimize: false },
);
export const OutboxQueue = model('OutboxQueue', outboxQueueSchema, 'outbox_queue');

/**
 * Posts given up on in the last week (`_id` = the idempotency key), so /health, the monitor and the
 * metrics count them without scanning the outbox; the outbox row itself stays as the record.
 */
const outboxDeadSchema = new Schema(
  {
    _id: { type: String, required: true },
    row: { type: Schema.Types.ObjectId, required: true },
    deadAt: { type: Date, required: true },
    destination: { type: Schema.Types.Mixed, default: null },
  },
  { versionKey: false, minimize: false },
);
export const OutboxDead = model('OutboxDead', outboxDeadSchema, 'outbox_dead');
