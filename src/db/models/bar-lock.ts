import { Schema, model } from 'mongoose';

/**
 * A writer's lock on one bar series ("SYMBOL|YEAR" as _id). Taken by a unique insert — the one
 * atomic step FerretDB guarantees across connections — and deleted when the write is done; a
 * lock older than a minute belongs to a crashed writer and is cleared.
 */
const barLockSchema = new Schema({ _id: { type: String, required: true }, at: { type: Date, required: true } }, { versionKey: false });

export const BarLock = model('BarLock', barLockSchema, 'bar_locks');

/** The last stored date of each symbol ("_id" = symbol): a small read instead of decoding whole series. */
const barIndexSchema = new Schema({ _id: { type: String, required: true }, lastDate: { type: String, required: true } }, { versionKey: false });

export const BarIndex = model('BarIndex', barIndexSchema, 'bar_index');
