import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { BSON, type Db, type Document } from 'mongodb';
import type { Env } from '../config/env.js';
import { UserFacingError } from '../errors.js';
import { PROJECT_ROOT } from '../paths.js';
import { bumpRevisions, DATA_REVISIONS } from './data-revision.js';

/**
 * Backups for the embedded default and small deployments: every collection streamed to gzip'd NDJSON
 * in canonical MongoDB Extended JSON (dates, binaries, longs and ObjectIds round-trip exactly), with a
 * manifest of counts, indexes and the sha256 of each file. On a real replica set prefer
 * `mongodump --oplog`.
 */

export interface CollectionEntry {
  name: string;
  count: number;
  file: string;
  sha256: string;
  indexes: Array<{ key: Document; name: string; unique?: boolean; sparse?: boolean }>;
}

export interface Manifest {
  app: 'signaldesk';
  appVersion: string;
  format: 'ndjson.gz+ejson-canonical/1';
  createdAt: string;
  database: string;
  collections: CollectionEntry[];
}

const MANIFEST = 'manifest.json';

/** Where backups go: BACKUP_DIR, else <LOCAL_DB_DIR>/backups. */
export function backupDir(env: Env): string {
  const base = env.BACKUP_DIR ?? join(env.LOCAL_DB_DIR, 'backups');
  return isAbsolute(base) ? base : resolve(PROJECT_ROOT, base);
}

function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (c) => h.update(c)).on('end', () => res(h.digest('hex'))).on('error', rej);
  });
}

async function userCollections(db: Db): Promise<string[]> {
  return (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.')).sort();
}

/** A content hash of a collection, independent of storage order: canonical EJSON of each document by _id. */
export async function collectionHash(db: Db, name: string): Promise<{ count: number; sha256: string }> {
  const h = createHash('sha256');
  let count = 0;
  for await (const doc of db.collection(name).find({}).sort({ _id: 1 })) {
    h.update(BSON.EJSON.stringify(doc, { relaxed: false }));
    h.update('\n');
    count++;
  }
  return { count, sha256: h.digest('hex') };
}

/** Write collections (all of each, or what a filter selects) into `dir` in the backup format, with its manifest. */
export async function writeCollections(db: Db, dir: string, specs: Array<{ name: string; filter?: Document }>, now = new Date()): Promise<Manifest> {
  mkdirSync(dir, { recursive: true });
  const collections: CollectionEntry[] = [];
  for (const { name, filter } of specs) {
    const file = `${name}.ndjson.gz`;
    let count = 0;
    const lines = Readable.from((async function* () {
      for await (const doc of db.collection(name).find(filter ?? {}).sort({ _id: 1 })) {
        count++;
        yield `${BSON.EJSON.stringify(doc, { relaxed: false })}\n`;
      }
    })());
    await pipeline(lines, createGzip(), createWriteStream(join(dir, file)));
    const indexes = (await db.collection(name).indexes())
      .filter((i) => i.name !== '_id_')
      .map((i) => ({ key: i.key as Document, name: String(i.name), ...(i.unique ? { unique: true } : {}), ...(i.sparse ? { sparse: true } : {}) }));
    collections.push({ name, count, file, sha256: await sha256File(join(dir, file)), indexes });
  }
  const manifest: Manifest = { app: 'signaldesk', appVersion: appVersion(), format: 'ndjson.gz+ejson-canonical/1', createdAt: now.toISOString(), database: db.databaseName, collections };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Write a backup of `db` into a new folder under `outDir`; keep only the newest `keep` backups there. */
export async function backupDatabase(db: Db, outDir: string, opts: { now?: Date; keep?: number } = {}): Promise<{ dir: string; manifest: Manifest }> {
  const now = opts.now ?? new Date();
  const dir = join(outDir, `signaldesk-${now.toISOString().replace(/[:.]/g, '-')}`);
  const manifest = await writeCollections(db, dir, (await userCollections(db)).map((name) => ({ name })), now);
  if (opts.keep !== undefined) pruneBackups(outDir, opts.keep);
  return { dir, manifest };
}

/** Delete all but the newest `keep` backup folders (names sort by time). */
export function pruneBackups(outDir: string, keep: number): string[] {
  const all = readdirSync(outDir).filter((n) => n.startsWith('signaldesk-') && existsSync(join(outDir, n, MANIFEST))).sort();
  const gone = all.slice(0, Math.max(0, all.length - keep));
  for (const n of gone) rmSync(join(outDir, n), { recursive: true, force: true });
  return gone;
}

export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new UserFacingError('BAD_BACKUP', `"${dir}" is not a signaldesk backup: it has no ${MANIFEST}.`);
  const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  if (m.app !== 'signaldesk' || !Array.isArray(m.collections)) throw new UserFacingError('BAD_BACKUP', `${path} is not a signaldesk backup manifest.`);
  return m;
}

/** Check every file against the manifest's sha256 before anything is written. */
export async function verifyBackup(dir: string): Promise<Manifest> {
  const m = readManifest(dir);
  const bad: string[] = [];
  for (const c of m.collections) {
    const path = join(dir, c.file);
    if (!existsSync(path)) bad.push(`${c.file} is missing`);
    else if ((await sha256File(path)) !== c.sha256) bad.push(`${c.file} does not match its sha256`);
  }
  if (bad.length) throw new UserFacingError('BAD_BACKUP', `The backup in ${dir} is damaged; nothing was restored:\n${bad.map((b) => `• ${b}`).join('\n')}`);
  return m;
}

export interface RestoreReport {
  database: string;
  collections: Array<{ name: string; count: number }>;
}

/**
 * Restore a verified backup into `db`: refused when the target holds documents unless `drop` (then the
 * backup's collections are dropped first); documents in batches, then the indexes.
 */
export async function restoreDatabase(db: Db, dir: string, opts: { drop?: boolean } = {}): Promise<RestoreReport> {
  const m = await verifyBackup(dir);
  const existing = await userCollections(db);
  const nonEmpty: string[] = [];
  for (const name of existing) if ((await db.collection(name).estimatedDocumentCount()) > 0) nonEmpty.push(name);
  if (nonEmpty.length && !opts.drop) {
    throw new UserFacingError('TARGET_NOT_EMPTY', `Database "${db.databaseName}" is not empty (${nonEmpty.slice(0, 5).join(', ')}${nonEmpty.length > 5 ? ', …' : ''}); nothing was restored. Restore into an empty database, or pass --drop to replace its collections.`);
  }
  if (opts.drop) for (const c of m.collections) if (existing.includes(c.name)) await db.collection(c.name).drop();
  const report: RestoreReport = { database: db.databaseName, collections: [] };
  for (const c of m.collections) {
    const coll = db.collection(c.name);
    await db.createCollection(c.name).catch(() => undefined);
    let batch: Document[] = [];
    let count = 0;
    const lines = createInterface({ input: createReadStream(join(dir, c.file)).pipe(createGunzip() as unknown as Transform), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      batch.push(BSON.EJSON.parse(line, { relaxed: false }) as Document);
      if (batch.length >= 500) {
        await coll.insertMany(batch, { ordered: true });
        count += batch.length;
        batch = [];
      }
    }
    if (batch.length) {
      await coll.insertMany(batch, { ordered: true });
      count += batch.length;
    }
    for (const i of c.indexes) await coll.createIndex(i.key, { name: i.name, ...(i.unique ? { unique: true } : {}), ...(i.sparse ? { sparse: true } : {}) });
    if (count !== c.count) throw new Error(`${c.name}: restored ${count} documents, the manifest says ${c.count}`);
    report.collections.push({ name: c.name, count });
  }
  // The data tokens come back with the data they describe, so every process's views follow them; a
  // backup from before the tokens existed gets fresh ones.
  if (!m.collections.some((c) => c.name === DATA_REVISIONS)) await bumpRevisions(['trades', 'bars'], db);
  return report;
}
