import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import { isDuplicateKey } from './connection.js';

/** Writing many documents by `_id` on every engine we support, the embedded FerretDB included. */
export type IdDoc = { _id: string } & Record<string, unknown>;
export type Op = AnyBulkWriteOperation<IdDoc>;
/** Replace (or create) a document by `_id`, as one bulk operation. */
export const replaceOp = (doc: IdDoc): Op => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } });
/**
 * At most BULK_CHUNK writes a batch: the embedded FerretDB stops answering after a bulk of about a hundred
 * updates (measured: 50 a batch go through, 100 hang every later write), so larger lists go in chunks.
 */
export const BULK_CHUNK = 40;
export async function bulk(model: { collection: unknown }, ops: Op[]): Promise<void> {
  for (let i = 0; i < ops.length; i += BULK_CHUNK) await (model.collection as Collection<IdDoc>).bulkWrite(ops.slice(i, i + BULK_CHUNK), { ordered: true });
}

/** Insert many documents by unique `_id`; the indexes of those that were new (duplicates are not errors). */
export async function insertNew(model: { collection: { insertMany(docs: object[], o: { ordered: false }): Promise<unknown> } }, docs: object[]): Promise<Set<number>> {
  const fresh = new Set(docs.map((_, i) => i));
  if (docs.length === 0) return fresh;
  for (let i = 0; i < docs.length; i += 1_000) {
    const chunk = docs.slice(i, i + 1_000);
    try {
      await model.collection.insertMany(chunk, { ordered: false });
    } catch (err) {
      const writeErrors = (err as { writeErrors?: Array<{ index: number; code?: number; err?: { code?: number } }> | { index: number } }).writeErrors;
      const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (list.length === 0 && !isDuplicateKey(err)) throw err;
      for (const w of list) {
        const code = (w as { code?: number }).code ?? (w as { err?: { code?: number } }).err?.code;
        if (code !== undefined && code !== 11000) throw err;
        fresh.delete(i + w.index);
      }
    }
  }
  return fresh;
}

type IndexModel = { collection: { insertMany(docs: object[], o: { ordered: false }): Promise<unknown> }; findById(id: string): { lean(): PromiseLike<unknown> } };

/**
 * Append entries to index documents by `_id` ("a name's month", "a member's year"…): each document read once,
 * entries already there (by `keyOf`) skipped — so a re-run after a kill adds nothing twice —, new documents
 * inserted, changed ones replaced in small batches. For one writer at a time (a lease); a document inserted
 * meanwhile by a writer whose lease expired is merged into. Returns how many documents were written.
 */
export async function mergeIndexEntries<E>(model: IndexModel, adds: Map<string, { fields?: Record<string, unknown>; entries: E[] }>, keyOf: (e: E) => string): Promise<number> {
  const ids = [...adds.keys()];
  const existing = new Map<string, E[]>();
  const read = async (id: string) => ((await model.findById(id).lean()) as { _id: string; entries?: E[] } | null);
  for (let i = 0; i < ids.length; i += 32) {
    for (const d of await Promise.all(ids.slice(i, i + 32).map(read))) if (d) existing.set(d._id, d.entries ?? []);
  }
  const inserts: IdDoc[] = [];
  const ops: Op[] = [];
  for (const [id, v] of adds) {
    const cur = existing.get(id);
    if (!cur) {
      inserts.push({ _id: id, ...(v.fields ?? {}), entries: v.entries });
      continue;
    }
    const have = new Set(cur.map(keyOf));
    const more = v.entries.filter((e) => !have.has(keyOf(e)));
    if (more.length) ops.push(replaceOp({ _id: id, ...(v.fields ?? {}), entries: [...cur, ...more] }));
  }
  const fresh = await insertNew(model, inserts);
  for (const [i, doc] of inserts.entries()) {
    if (fresh.has(i)) continue;
    const cur = (await read(doc._id))?.entries ?? [];
    const have = new Set(cur.map(keyOf));
    ops.push(replaceOp({ ...doc, entries: [...cur, ...(doc.entries as E[]).filter((e) => !have.has(keyOf(e)))] }));
  }
  await bulk(model, ops);
  return inserts.length + ops.length;
}
