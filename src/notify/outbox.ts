import { isDuplicateKey } from '../db/connection.js';
import { releaseLease, stillHeld, takeLease } from '../db/lease.js';
import { Lease } from '../db/models/lease.js';
import { Outbox } from '../db/models/outbox.js';
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

/**
 * Queue a post. The idempotency key is unique: a job that runs twice queues its post once.
 * Returns queued=false when the key was already there (nothing changes). The destination is fixed
 * now, from this process's configuration, so a process configured differently never takes it.
 */
export async function enqueuePost(idempotencyKey: string, input: PostInput, now = new Date(), destination?: Destination): Promise<EnqueueResult> {
  const post = buildPost({ timestamp: now.toISOString(), ...input });
  try {
    await Outbox.create({
      idempotencyKey,
      channelKey: post.kind,
      post,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      destination: destination ?? resolveDestination?.(post.kind) ?? null,
    });
    return { queued: true, idempotencyKey };
  } catch (err) {
    if (isDuplicateKey(err)) return { queued: false, idempotencyKey };
    throw err;
  }
}

/**
 * Queue many posts at once (one insert round trip): keys already queued are skipped, as enqueuePost
 * skips them. Returns how many were new.
 */
export async function enqueuePosts(items: Array<{ key: string; post: PostInput; destination?: Destination }>, now = new Date()): Promise<number> {
  if (items.length === 0) return 0;
  const docs = items.map(({ key, post: input, destination }) => {
    const post = buildPost({ timestamp: now.toISOString(), ...input });
    return { idempotencyKey: key, channelKey: post.kind, post, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now, destination: destination ?? resolveDestination?.(post.kind) ?? null };
  });
  try {
    return (await Outbox.insertMany(docs, { ordered: false })).length;
  } catch (err) {
    const e = err as { insertedDocs?: unknown[]; writeErrors?: Array<{ code?: number; err?: { code?: number } }>; code?: number };
    const errors = e.writeErrors ?? [];
    if (!errors.length || !errors.every((w) => (w.code ?? w.err?.code) === 11000)) throw err;
    return docs.length - errors.length;
  }
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
  const due = await Outbox.find({ status: { $in: ['pending', 'sending'] }, nextAttemptAt: { $lte: now() } })
    .sort({ nextAttemptAt: 1 })
    .limit(limit * 4)
    .lean();
  let handled = 0;
  for (const row of due) {
    if (handled >= limit) break;
    const destination = (row.destination ?? null) as Destination | null;
    if (!opts.sinkFor(destination, row.channelKey, null)) continue; // not ours to serve
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
    const attempt = claim.gen;
    const post = buildPost(fresh.post as PostInput);
    const verdict = opts.decide ? await opts.decide(post, t) : { deliver: true, silent: false, channelId: null, why: 'on' };
    if (!verdict.deliver) {
      await Outbox.updateOne({ _id: fresh._id }, { $set: { status: 'suppressed', attempts: attempt, leaseUntil: null, lastError: verdict.why } });
      await releaseLease(claim);
      report.suppressed = (report.suppressed ?? 0) + 1;
      continue;
    }
    const sink = opts.sinkFor(destination, fresh.channelKey, verdict.channelId);
    if (!sink || !stillHeld(claim, sendBudgetMs, now().getTime())) {
      // The claim is too old to start a send that could outlive it: leave it to the next round.
      await releaseLease(claim);
      continue;
    }
    const channelId = verdict.channelId ?? destination?.channelId ?? null;
    try {
      const receipt = await sink.send({ idempotencyKey: fresh.idempotencyKey, channelKey: fresh.channelKey, post, silent: verdict.silent, channelId });
      await Outbox.updateOne({ _id: fresh._id }, { $set: { status: 'sent', attempts: attempt, sentAt: now(), sink: receipt.sink, leaseUntil: null, lastError: null } });
      await releaseLease(claim);
      report.sent++;
    } catch (err) {
      const retryable = !(err instanceof SinkError) || err.retryable;
      const wait = err instanceof SinkError && err.retryAfterMs !== undefined ? err.retryAfterMs : backoffMs(attempt);
      await Outbox.updateOne(
        { _id: fresh._id },
        {
          $set: {
            status: retryable ? 'pending' : 'dead',
            attempts: attempt,
            nextAttemptAt: new Date(now().getTime() + wait),
            leaseUntil: null,
            lastError: describeError(err).slice(0, 500),
          },
        },
      );
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

export interface OutboxStats {
  pending: number;
  dead: number;
  sending: number;
  oldestPendingAt: Date | null;
}

export async function outboxStats(): Promise<OutboxStats> {
  const [pending, dead, sending, oldest] = await Promise.all([
    Outbox.countDocuments({ status: 'pending' }),
    Outbox.countDocuments({ status: 'dead' }),
    // In flight: claims held right now.
    Lease.countDocuments({ scope: CLAIM_SCOPE, released: false, until: { $gt: new Date() } }),
    Outbox.findOne({ status: 'pending' }).sort({ createdAt: 1 }).lean(),
  ]);
  return { pending, dead, sending, oldestPendingAt: oldest?.createdAt ?? null };
}
