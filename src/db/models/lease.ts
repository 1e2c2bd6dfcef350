import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * One generation of a lease: the right of one holder to act on one thing (a post's delivery
 * attempt, a job run's attempt) until `until`. `_id` is "<scope>:<key>#<gen>", so taking a
 * generation is a unique insert — the one step FerretDB and MongoDB both make atomic across
 * connections. Nobody overwrites another holder's document: a lease is taken over by inserting
 * the next generation once the previous one has expired or was released.
 */
const leaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    scope: { type: String, required: true },
    key: { type: String, required: true },
    gen: { type: Number, required: true },
    holder: { type: String, required: true },
    until: { type: Date, required: true },
    released: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
leaseSchema.index({ scope: 1, key: 1, gen: -1 });
leaseSchema.index({ createdAt: 1 });

export type LeaseDoc = InferSchemaType<typeof leaseSchema>;
export const Lease = model('Lease', leaseSchema, 'leases');

/**
 * A writer's turn on one document that is read, merged and written back ("<scope>|<key>" as `_id`): taken by
 * unique insert, deleted when the write is done, so the collection holds only the turns being taken. `token`
 * names the taking (only its taker deletes it); one older than its `ttlMs` belongs to a dead writer and is cleared.
 */
const writerLockSchema = new Schema(
  { _id: { type: String, required: true }, token: { type: String, required: true }, holder: { type: String, required: true }, at: { type: Date, required: true }, ttlMs: { type: Number, required: true } },
  { versionKey: false },
);
export const WriterLock = model('WriterLock', writerLockSchema, 'writer_locks');
