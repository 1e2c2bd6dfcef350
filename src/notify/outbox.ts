import { isDuplicateKey } from '../db/connection.js';
import { releaseLease, stillHeld, takeLease } from '../db/lease.js';
import { Types } from 'mongoose';
import type { Collection } from 'mongodb';
import { Outbox, OutboxDead, OutboxQueue } from '../db/models/outbox.js';
import { describeError } from '../errors.js';
import { log } from '../log/logger.js';
import type { Decision } from './alert-policy.js';
import { buildPost, type Post, type PostInput } from './post.js';
import { SinkError, type Sink } from './sinks/sink.js';

export interface EnqueueResult {
  queued: boolean;
  idempotencyKey: string;
}

/** Where a post goes, fixed when it is queued (see the Outbox model). */
export interface Destination {
  sink: 'discord' | 'webhook' | 'console' | 'dm';
  channelId?: string | null;
  /** A direct message's recipient (sink 'dm'). */
  userId?: string | null;
  /** A webhook's identity: a hash of its URL (the URL itself is a secret). */
  target?: string | null;
}

type DestinationResolver = (channelKey: string) => Destination;
let resolveDestination: DestinationResolver | undefined;

/** The process's routing (set with its sinks): a queued post's destination comes from it. */
export function setDestinationResolver(fn: DestinationResolver | undefined): void {
  resolveDestination = fn;
}

type QueueEntry = { _id: string; row: Types.ObjectId; channelKey: string; nextAttemptAt: Date; createdAt: Date; claimedUntil: Date | null; destination: Destination | null };

function rowFor(key: string, row: Types.ObjectId, input: PostInput, now: Date, destination: Destination | undefined) {
  const post = buildPost({ timestamp: now.toISOString(), ...input });
  return {
    _id: row, idempotencyKey: key, channelKey: post.kind, post, status: 'pending', attempts: 0, nextAttemptAt: now, leaseUntil: null, lastError: null,
    createdAt: now, sentAt: null, sink: null, destination: destination ?? resolveDestination?.(post.kind) ?? null,
  };
}

const duplicateIndexes = (err: unknown): number[] | undefined => {
  const errors = (err as { writeErrors?: Array<{ index: number; code?: number }> }).writeErrors;
  if (!errors?.length || !errors.every((w) => w.code === 11000)) return undefined;
  return errors.map((w) => w.index);
};

/**
 * Queue posts: for each, its queue entry (`_id` = the idempotency key) and then its outbox row. A key
 * already queued changes nothing, except that an entry whose row is missing (a crash between the two
 * inserts) gets its row now, so the post is neither lost nor doubled. Two round trips for any number
 * of posts. Returns the keys whose post was queued by this call.
 */
async function queuePosts(items: Array<{ key: string; post: PostInput; destination?: Destination | undefined }>, now: Date): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const rows = items.map((it) => rowFor(it.key, new Types.ObjectId(), it.post, now, it.destination));
  const entries: QueueEntry[] = rows.map((r) => ({ _id: r.idempotencyKey, row: r._id, channelKey: r.channelKey, nextAttemptAt: now, createdAt: now, claimedUntil: null, destination: r.destination }));
  const queue = OutboxQueue.collection as unknown as Collection<QueueEntry>;
  let taken = new Set<number>();
  try {
    await queue.insertMany(entries, { ordered: false, ignoreUndefined: true });
  } catch (err) {
    const dup = duplicateIndexes(err);
    if (!dup) throw err;
    taken = new Set(dup);
  }
  const toWrite: typeof rows = [];
  for (const [i, r] of rows.entries()) {
    if (!taken.has(i)) {
      toWrite.push(r);
      continue;
    }
    // Queued before: complete it only when its row never got written.
    const existing = await queue.findOne({ _id: r.idempotencyKey });
    if (existing && !(await Outbox.exists({ _id: existing.row }))) toWrite.push({ ...r, _id: existing.row });
  }
  if (toWrite.length === 0) return new Set();
  let refused = new Set<number>();
  try {
    await Outbox.collection.insertMany(toWrite, { ordered: false, ignoreUndefined: true });
  } catch (err) {
    const dup = duplicateIndexes(err);
    if (!dup) throw err;
    refused = new Set(dup);
  }
  const queued = new Set<string>();
  for (const [i, r] of toWrite.entries()) {
    // A row with this key was written long ago (and delivered; its entry is gone): the key is done.
    if (refused.has(i)) await queue.deleteOne({ _id: r.idempotencyKey, row: r._id });
    else queued.add(r.idempotencyKey);
  }
  return queued;
}

/**
 * Queue a post. The idempotency key is unique: a job that runs twice queues its post once.
 * Returns queued=false when the key was already there (nothing changes). The destination is fixed
 * now, from this process's configuration, so a process configured differently never takes it.
 */
export async function enqueuePost(idempotencyKey: string, input: PostInput, now = new Date(), destination?: Destination): Promise<EnqueueResult> {
  const queued = await queuePosts([{ key: idempotencyKey, post: input, destination }], now);
  return { queued: queued.has(idempotencyKey), idempotencyKey };
}

/**
 * Queue many posts at once (two insert round trips): keys already queued are skipped, as enqueuePost
 * skips them. Returns how many were new.
 */
export async function enqueuePosts(items: Array<{ key: string; post: PostInput; destination?: Destination }>, now = new Date()): Promise<number> {
  return (await queuePosts(items, now)).size;
}

/** Back-off after the n-th failed attempt: 5 s doubling to a 15-minute ceiling, ±20 % jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 15 * 60_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface DeliverOptions {
  /**
   * The sink that serves a post's destination here, or undefined when this process cannot (another
   * process, configured for it, will). `channelId` is the alert policy's override, if any.
   */
  sinkFor: (destination: Destination | null, channelKey: string, channelId?: string | null) => Sink | undefined;
  /** The alert policy's verdict for a due post (default: deliver, with notification). */
  decide?: (post: Post, now: Date) => Promise<Decision> | Decision;
  limit?: number;
  /** How long a claim lasts; a send starts only with `sendBudgetMs` of it left. */
  leaseMs?: number;
  sendBudgetMs?: number;
  now?: () => Date;
}

export interface DeliverReport {
  sent: number;
  retried: number;
  dead: number;
  suppressed?: number;
}

export const CLAIM_SCOPE = 'outbox';

/**
 * Deliver due posts, oldest first. Attempt n of a post is claimed by inserting lease
 * "outbox:<id>#n" (unique): two deliverers never send the same attempt. The holder sends only
 * while its claim has `sendBudgetMs` to run (a send times out before the claim does), records the
 * outcome, and never sleeps on a claim: a rate limit becomes `nextAttemptAt` and the claim is
 * released. A deliverer that dies mid-send leaves a claim that expires; the next one takes
 * attempt n + 1 (Discord's nonce drops a repeat of a send that did reach it).
 */
export async function deliverDue(opts: DeliverOptions): Promise<DeliverReport> {
  const now = opts.now ?? (() => new Date());
  const limit = opts.limit ?? 50;
  const leaseMs = opts.leaseMs ?? 60_000;
  const sendBudgetMs = opts.sendBudgetMs ?? 20_000;
  const report: DeliverReport = { sent: 0, retried: 0, dead: 0 };
  const logger = log().child({ component: 'outbox' });
  const queue = OutboxQueue.collection as unknown as Collection<QueueEntry>;
  // The queue holds only what waits (and the dead): a read that does not grow with the outbox's history.
  const due = (await queue.find({}).toArray())
    .filter((e) => e.nextAttemptAt <= now())
    .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())
    .slice(0, limit * 4);
  let handled = 0;
  for (const entry of due) {
    if (handled >= limit) break;
    const destination = entry.destination ?? null;
    if (!opts.sinkFor(destination, entry.channelKey, null)) continue; // not ours to serve
    const row = await Outbox.findById(entry.row).lean();
    if (!row) {
      // The enqueue died between its two inserts; its re-run completes it. Long orphaned: drop it.
      if (now().getTime() - entry.createdAt.getTime() > ORPHAN_ENTRY_MS) await queue.deleteOne({ _id: entry._id, row: entry.row });
      continue;
    }
    if (!['pending', 'sending'].includes(row.status)) {
      await settleEntry(queue, entry, row.status);
      continue;
    }
    const t = now();
    const claim = await takeLease(CLAIM_SCOPE, String(row._id), { fromGen: row.attempts + 1, ttlMs: leaseMs, now: t });
    if (!claim) continue;
    // Our read may be stale: the row may have been settled, or re-scheduled, by an earlier attempt.
    const fresh = await Outbox.findById(row._id).lean();
    if (!fresh || !['pending', 'sending'].includes(fresh.status) || fresh.attempts >= claim.gen || fresh.nextAttemptAt > t) {
      await releaseLease(claim);
      continue;
    }
    handled++;
    await queue.updateOne({ _id: entry._id }, { $set: { claimedUntil: claim.until } });
    const attempt = claim.gen;
    const post = buildPost(fresh.post as PostInput);
    const verdict = opts.decide ? await opts.decide(post, t) : { deliver: true, silent: false, channelId: null, why: 'on' };
    if (!verdict.deliver) {
      await Outbox.updateOne({ _id: fresh._id }, { $set: { status: 'suppressed', attempts: attempt, leaseUntil: null, lastError: verdict.why } });
      await settleEntry(queue, entry, 'suppressed');
      await releaseLease(claim);
      report.suppressed = (report.suppressed ?? 0) + 1;
      continue;
    }
    const sink = opts.sinkFor(destination, fresh.channelKey, verdict.channelId);
    // A send starts only while the claim outlives it: the budget, or the sink's own longer wait (webhooks).
    if (!sink || !stillHeld(claim, Math.max(sendBudgetMs, (sink.timeoutMs ?? 0) + 5_000), now().getTime())) {
      // The claim is too old to start a send that could outlive it: leave it to the next round.
      await queue.updateOne({ _id: entry._id }, { $set: { claimedUntil: null } });
      await releaseLease(claim);
      continue;
    }
    const channelId = verdict.channelId ?? destination?.channelId ?? null;
    try {
      const receipt = await sink.send({ idempotencyKey: fresh.idempotencyKey, channelKey: fresh.channelKey, post, silent: verdict.silent, channelId });
      await Outbox.updateOne({ _id: fresh._id }, { $set: { status: 'sent', attempts: attempt, sentAt: now(), sink: receipt.sink, leaseUntil: null, lastError: null } });
      await settleEntry(queue, entry, 'sent');
      await releaseLease(claim);
      report.sent++;
    } catch (err) {
      const retryable = !(err instanceof SinkError) || err.retryable;
      const wait = err instanceof SinkError && err.retryAfterMs !== undefined ? err.retryAfterMs : backoffMs(attempt);
      const nextAttemptAt = new Date(now().getTime() + wait);
      await Outbox.updateOne(
        { _id: fresh._id },
        {
          $set: {
            status: retryable ? 'pending' : 'dead',
            attempts: attempt,
            nextAttemptAt,
            leaseUntil: null,
            lastError: describeError(err).slice(0, 500),
          },
        },
      );
      if (retryable) await queue.updateOne({ _id: entry._id }, { $set: { nextAttemptAt, claimedUntil: null } });
      else await settleEntry(queue, entry, 'dead');
      await releaseLease(claim);
      if (retryable) report.retried++;
      else report.dead++;
      logger.warn({ idempotencyKey: fresh.idempotencyKey, attempts: attempt, retryable, waitMs: wait, err: describeError(err) }, 'post not delivered');
      // A sink that is down now will be down for the next post too: stop this round.
      if (retryable) break;
    }
  }
  return report;
}

/** A queue entry whose row left `pending` for this status leaves the queue (a dead one is noted for the counts). */
async function settleEntry(queue: Collection<QueueEntry>, entry: QueueEntry, status: string): Promise<void> {
  if (status === 'dead') {
    await OutboxDead.create({ _id: entry._id, row: entry.row, deadAt: new Date(), destination: entry.destination ?? null }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }
  await queue.deleteOne({ _id: entry._id, row: entry.row });
}

/** A queue entry whose row never appeared is dropped after this (its job's re-runs come within minutes). */
const ORPHAN_ENTRY_MS = 3_600_000;

export interface OutboxStats {
  pending: number;
  /** Channel and webhook posts given up on in the last week. */
  dead: number;
  /** Direct messages given up on in the last week (the member's DMs are closed). */
  deadDms: number;
  sending: number;
  oldestPendingAt: Date | null;
}

/**
 * Counts from the queue (the backlog) and the week's dead posts, never from the outbox's history.
 * `deadDms` are direct messages a member's settings refused: counted apart, they are not an ops problem.
 */
export async function outboxStats(now = new Date()): Promise<OutboxStats> {
  const [entries, dead] = await Promise.all([
    OutboxQueue.find({}, { createdAt: 1, claimedUntil: 1 }).lean(),
    OutboxDead.find({}, { destination: 1 }).lean(),
  ]);
  let sending = 0;
  let oldestPendingAt: Date | null = null;
  for (const e of entries) {
    if (e.claimedUntil && e.claimedUntil > now) sending++;
    if (!oldestPendingAt || e.createdAt < oldestPendingAt) oldestPendingAt = e.createdAt;
  }
  const deadDms = dead.filter((d) => (d.destination as Destination | null)?.sink === 'dm').length;
  return { pending: entries.length, dead: dead.length - deadDms, deadDms, sending, oldestPendingAt };
}

/** Dead-post notes older than `before` (maintenance); the outbox rows stay. */
export async function pruneDeadNotes(before: Date): Promise<number> {
  return (await OutboxDead.deleteMany({ deadAt: { $lt: before } })).deletedCount;
}
