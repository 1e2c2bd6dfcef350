import { createHash } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import mongoose, { type Connection } from 'mongoose';
import { allModels } from './models/index.js';

export const DEFAULT_DB_NAME = 'signaldesk';

/** The database name in a URI's path, if any (mongodb://host/name?opts). */
export function dbNameFromUri(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

/**
 * Connections one process may open to the embedded FerretDB. Its SQLite backend has a pool of 100
 * connections, and a findAndModify holds one while it asks for a second: a burst of concurrent
 * requests larger than the pool (four workers polling thirteen Agenda jobs at once is 52) deadlocks
 * the whole server. Capping every process at 10 keeps five busy processes under the server's pool.
 */
export const EMBEDDED_POOL_SIZE = 10;

export interface ConnectOptions {
  /** The driver's connection pool per process (default: the driver's 100). */
  maxPoolSize?: number | undefined;
  /** Emit the driver's command events (tests that check which queries a read makes). */
  monitorCommands?: boolean;
}

/**
 * Connect mongoose and create every index before any job or command runs: the unique
 * indexes are what make re-runs change nothing, so they must exist before the first write.
 */
export async function connectDatabase(uri: string, dbName?: string, opts: ConnectOptions = {}): Promise<Connection> {
  mongoose.set('strictQuery', true);
  await mongoose.connect(uri, {
    dbName: dbName ?? dbNameFromUri(uri) ?? DEFAULT_DB_NAME,
    autoIndex: false,
    serverSelectionTimeoutMS: 10_000,
    ...(opts.maxPoolSize ? { maxPoolSize: opts.maxPoolSize } : {}),
    ...(opts.monitorCommands ? { monitorCommands: true } : {}),
  });
  await ensureIndexes();
  const control = new MongoClient(uri, { maxPoolSize: 1, serverSelectionTimeoutMS: 10_000 });
  await control.connect();
  controlClient = { client: control, db: control.db(mongoose.connection.name) };
  return mongoose.connection;
}

/**
 * Create every model's indexes once per database and set of index definitions: a marker in `migrations`
 * (`_id` "indexes:<hash of every collection's index specs>") says they exist, so a start that finds it makes
 * one lookup instead of a createIndexes round trip per collection (a CLI read starts in a third less time).
 * A changed definition changes the hash, and the next start creates the indexes again (creation is idempotent).
 */
async function ensureIndexes(): Promise<void> {
  const models = allModels();
  const specs = models.map((m) => [m.collection.collectionName, m.schema.indexes()]);
  const id = `indexes:${createHash('sha256').update(JSON.stringify(specs)).digest('hex').slice(0, 16)}`;
  const markers = mongoose.connection.db!.collection<{ _id: string; at: Date }>('migrations');
  if (await markers.findOne({ _id: id }, { projection: { _id: 1 } })) return;
  await Promise.all(models.map((m) => m.createIndexes()));
  await markers.insertOne({ _id: id, at: new Date() }).catch((err: unknown) => {
    if (!isDuplicateKey(err)) throw err;
  });
}

/**
 * A second connection of its own (one socket) for what must not wait behind this process's work: lease
 * renewals of running jobs. When hundreds of commands fill mongoose's pool, a renewal queued behind them
 * could wait past its lease and lose a healthy run to a takeover; on this connection it waits only for
 * the server.
 */
let controlClient: { client: MongoClient; db: Db } | undefined;

export function controlDb(): Db {
  if (!controlClient) throw new Error('database is not connected');
  return controlClient.db;
}

export async function disconnectDatabase(): Promise<void> {
  const control = controlClient;
  controlClient = undefined;
  await Promise.all([mongoose.disconnect(), control?.client.close()]);
}

/** The driver-level database behind mongoose (Agenda shares it). */
export function nativeDb(): NonNullable<Connection['db']> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('database is not connected');
  return db;
}

export async function pingDatabase(): Promise<number> {
  const started = performance.now();
  await nativeDb().command({ ping: 1 });
  return performance.now() - started;
}

/** True for a duplicate-key error (E11000), the signal that a unique index refused a second copy. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * An upsert (on `_id` or another unique key) that two processes may run at once: the loser of the insert race
 * gets E11000, and the row exists by then, so it runs again as a plain update.
 */
export async function upsertRacing(write: (upsert: boolean) => Promise<unknown>): Promise<void> {
  try {
    await write(true);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await write(false);
  }
}
