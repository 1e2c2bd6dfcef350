import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { controlDb, isDuplicateKey } from './connection.js';
import { Lease, WriterLock, type LeaseDoc } from './models/lease.js';

/** Who holds a lease: host and pid, enough to find the process in `ps`. */
export const HOLDER_ID = `${hostname()}:${process.pid}`;

export interface HeldLease {
  scope: string;
  key: string;
  gen: number;
  holder: string;
  until: Date;
}

const idOf = (scope: string, key: string, gen: number): string => `${scope}:${key}#${gen}`;

export interface TakeOptions {
  /** The first generation to try (the caller's "attempt + 1"). */
  fromGen: number;
  ttlMs: number;
  now?: Date;
  holder?: string;
  /** How many expired or released generations to step over before giving up. */
  maxHops?: number;
}

/**
 * Mutual exclusion by unique insert. Insert generation `fromGen`; if it exists and is still live,
 * somebody else holds the thing: null. If it expired or was released, try the next generation.
 * Exactly one caller wins each generation, and a generation is only ever taken over after the one
 * before it stopped being live, so at most one holder is live at a time.
 */
export async function takeLease(scope: string, key: string, opts: TakeOptions): Promise<HeldLease | null> {
  const now = opts.now ?? new Date();
  const holder = opts.holder ?? HOLDER_ID;
  const maxHops = opts.maxHops ?? 8;
  let gen = Math.max(1, opts.fromGen);
  for (let hop = 0; hop <= maxHops; hop++, gen++) {
    const until = new Date(now.getTime() + opts.ttlMs);
    try {
      await Lease.create({ _id: idOf(scope, key, gen), scope, key, gen, holder, until, released: false, createdAt: now });
      return { scope, key, gen, holder, until };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const existing = await Lease.findById(idOf(scope, key, gen)).lean();
    if (existing && !existing.released && existing.until.getTime() > now.getTime()) return null;
  }
  return null;
}

/** True when generation `gen` of a key exists (taken, live or not): one `_id` lookup. */
export async function leaseTaken(scope: string, key: string, gen: number): Promise<boolean> {
  return (await Lease.exists({ _id: idOf(scope, key, gen) })) !== null;
}

/**
 * The newest generation on record for a key (live or not), found by walking generations by `_id`
 * (generations are consecutive: n + 1 is only ever taken after n): a few lookups, whatever the
 * size of `leases`.
 */
export async function latestLease(scope: string, key: string): Promise<(HeldLease & { released: boolean }) | null> {
  let found: LeaseDoc | null = null;
  for (let gen = 1; ; gen++) {
    const doc = await Lease.findById(idOf(scope, key, gen)).lean();
    if (!doc) break;
    found = doc;
  }
  return found ? { scope, key, gen: found.gen, holder: found.holder, until: found.until, released: found.released ?? false } : null;
}

/**
 * Extend a lease this process holds. Returns false when the lease is lost: it ran out on our own
 * clock (a taker may already act), or a later generation exists. Renew well before `until` (a third
 * of the TTL): a taker only moves in after `until` has passed.
 */
export async function renewLease(lease: HeldLease, ttlMs: number, now = new Date()): Promise<boolean> {
  if (now.getTime() >= lease.until.getTime()) return false;
  // On the control connection: a renewal never queues behind this process's other work.
  const leases = controlDb().collection<{ _id: string }>(Lease.collection.collectionName);
  const taken = async () => (await leases.findOne({ _id: idOf(lease.scope, lease.key, lease.gen + 1) }, { projection: { _id: 1 } })) !== null;
  if (await taken()) return false;
  const until = new Date(now.getTime() + ttlMs);
  await leases.updateOne({ _id: idOf(lease.scope, lease.key, lease.gen) }, { $set: { until } });
  // A taker that read our old `until` just before the write could have moved in: look once more.
  if (await taken()) return false;
  lease.until = until;
  return true;
}

/** True while the lease is ours on our own clock, with `marginMs` to spare. */
export function stillHeld(lease: HeldLease, marginMs = 0, now = Date.now()): boolean {
  return now + marginMs < lease.until.getTime();
}

/** Give the lease up: the next taker may move in at once (it inserts the next generation). */
export async function releaseLease(lease: HeldLease): Promise<void> {
  await Lease.updateOne({ _id: idOf(lease.scope, lease.key, lease.gen) }, { $set: { released: true } });
  lease.until = new Date(0);
}

/** Lease records older than `before`, and writers' turns left by writers that died and nobody wanted since (maintenance). */
export async function pruneLeases(before: Date): Promise<number> {
  return (await Lease.deleteMany({ createdAt: { $lt: before } })).deletedCount + (await WriterLock.deleteMany({ at: { $lt: before } })).deletedCount;
}

export interface OneWriterOptions {
  /** How long to wait for a turn before `busy()` is thrown. */
  waitMs?: number;
  /** How long a turn may last before a waiter clears it (a writer that died is waited out within it). */
  ttlMs?: number;
  /** The error to throw when no turn came within `waitMs`. */
  busy?: () => Error;
}

/**
 * One writer at a time for a document that is read, merged and written back: the embedded FerretDB keeps one
 * of two simultaneous updates to a document, and two upserts of a new `_id` at once fail the second with E11000.
 * The turn is a `writer_locks` document taken by unique insert and deleted after `fn` (two round trips); a second
 * writer waits its turn (20–80 ms between looks), and clears a turn older than its TTL (its writer died).
 */
export async function oneWriterAtATime<T>(scope: string, key: string, fn: () => Promise<T>, opts: OneWriterOptions = {}): Promise<T> {
  const waitMs = opts.waitMs ?? 120_000;
  const ttlMs = opts.ttlMs ?? 90_000;
  const _id = `${scope}|${key}`;
  const token = randomUUID();
  const deadline = Date.now() + waitMs;
  for (;;) {
    const taken = await WriterLock.create({ _id, token, holder: HOLDER_ID, at: new Date(), ttlMs }).then(() => true, (err: unknown) => {
      if (isDuplicateKey(err)) return false;
      throw err;
    });
    if (taken) {
      try {
        return await fn();
      } finally {
        await WriterLock.deleteOne({ _id, token }).catch(() => undefined);
      }
    }
    const cur = await WriterLock.findById(_id).lean();
    if (cur && Date.now() - cur.at.getTime() > cur.ttlMs) {
      // Its writer died mid-turn: this taking is cleared (by its token: a fresh one taken meanwhile stays).
      await WriterLock.deleteOne({ _id, token: cur.token });
      continue;
    }
    if (!cur) continue; // given back between our insert and our look: try again at once
    if (Date.now() > deadline) throw opts.busy?.() ?? new Error(`another process has been writing ${scope} ${key} for over ${Math.round(waitMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 60));
  }
}
