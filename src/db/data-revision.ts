import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import mongoose, { type Schema } from 'mongoose';

/**
 * One token per kind of data in `data_revisions` (`trades`: trades and capital injections; `bars`: the
 * bar cache), set to a fresh random value after every write of that kind. src/db/view-cache.ts serves a
 * derived view again only while the tokens it was derived under are unchanged. Random tokens rather
 * than a counter: on FerretDB two increments at once can lose one, and a lost bump would leave a stale
 * view in place; two random sets at once leave a value nobody derived under.
 */
export const DATA_REVISIONS = 'data_revisions';
export type DataKind = 'trades' | 'bars';

function revisions(db: Db | undefined) {
  const d = db ?? mongoose.connection.db;
  if (!d) throw new Error('database is not connected');
  return d.collection<{ _id: string; token: string }>(DATA_REVISIONS);
}

/** Mark data of these kinds changed (after the write is done). */
export async function bumpRevisions(kinds: DataKind[], db?: Db): Promise<void> {
  const coll = revisions(db);
  for (const kind of kinds) {
    try {
      await coll.replaceOne({ _id: kind }, { token: randomUUID() }, { upsert: true });
    } catch (err) {
      // Two first bumps at once: one upsert met the other's new document; setting it again is enough.
      // (The code itself, not isDuplicateKey: connection.ts imports the models that import this file.)
      if ((err as { code?: number }).code !== 11000) throw err;
      await coll.replaceOne({ _id: kind }, { token: randomUUID() });
    }
  }
}

/** The current tokens of these kinds, as one string ('-' for a kind never written). */
export async function revisionTokens(kinds: DataKind[]): Promise<string> {
  const docs = await revisions(undefined).find({ _id: { $in: kinds } }).toArray();
  const byKind = new Map(docs.map((d) => [d._id, d.token]));
  return kinds.map((k) => byKind.get(k) ?? '-').join('|');
}

const QUERY_WRITES = ['deleteMany', 'deleteOne', 'updateOne', 'updateMany', 'replaceOne', 'findOneAndUpdate', 'findOneAndDelete', 'findOneAndReplace'] as const;

/** Bump `kind` after every write through this schema's model (saves, inserts, updates, deletes). */
export function bumpOnWrite(schema: Schema, kind: DataKind): void {
  const bump = async () => bumpRevisions([kind]);
  schema.post('save', bump);
  schema.post('insertMany', bump);
  schema.post('bulkWrite', bump);
  for (const op of QUERY_WRITES) schema.post(op, bump);
}
