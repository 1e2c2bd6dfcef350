import { isDuplicateKey } from '../db/connection.js';
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

/**
 * Queue a post. The idempotency key is unique: a job that runs twice queues its post once.
 * Returns queued=false when the key was already there (nothing changes).
 */
export async function enqueuePost(idempotencyKey: string, input: PostInput, now = new Date()): Promise<EnqueueResult> {
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
    });
    return { queued: true, idempotencyKey };
  } catch (err) {
    if (isDuplicateKey(err)) return { queued: false, idempotencyKey };
    throw err;
  }
}

/** Back-off after the n-th failed attempt: 5 s doubling to a 15-minute ceiling, ±20 % jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 15 * 60_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface DeliverOptions {
  /** Picks the sink for a post's channel key (and the policy's channel override). */
  sinkFor: (channelKey: string, channelId?: string | null) => Sink;
  /** The alert policy's verdict for a due post (default: deliver, with notification). */
  decide?: (post: Post, now: Date) => Promise<Decision> | Decision;
  limit?: number;
  leaseMs?: number;
  now?: () => Date;
}

export interface DeliverReport {
  sent: number;
  retried: number;
  dead: number;
  suppressed?: number;
}

/**
 * Deliver due posts, oldest first. Each is claimed with a lease before it is sent, so two
 * deliverers (two workers) never send the same post; a deliverer that dies mid-send leaves a
 * lease that expires and the post is picked up again (Discord's nonce drops a repeat).
 */
export async function deliverDue(opts: DeliverOptions): Promise<DeliverReport> {
  const now = opts.now ?? (() => new Date());
  const limit = opts.limit ?? 50;
  const leaseMs = opts.leaseMs ?? 60_000;
  const report: DeliverReport = { sent: 0, retried: 0, dead: 0 };
  const logger = log().child({ component: 'outbox' });
  for (let i = 0; i < limit; i++) {
    const t = now();
    const claimed = await Outbox.findOneAndUpdate(
      {
        $or: [
          { status: 'pending', nextAttemptAt: { $lte: t } },
          { status: 'sending', leaseUntil: { $lt: t } },
        ],
      },
      { $set: { status: 'sending', leaseUntil: new Date(t.getTime() + leaseMs) }, $inc: { attempts: 1 } },
      { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
    ).lean();
    if (!claimed) break;
    const post = buildPost(claimed.post as PostInput);
    const verdict = opts.decide ? await opts.decide(post, t) : { deliver: true, silent: false, channelId: null, why: 'on' };
    if (!verdict.deliver) {
      await Outbox.updateOne({ _id: claimed._id, status: 'sending' }, { $set: { status: 'suppressed', leaseUntil: null, lastError: verdict.why } });
      report.suppressed = (report.suppressed ?? 0) + 1;
      continue;
    }
    const sink = opts.sinkFor(claimed.channelKey, verdict.channelId);
    try {
      const receipt = await sink.send({ idempotencyKey: claimed.idempotencyKey, channelKey: claimed.channelKey, post, silent: verdict.silent, channelId: verdict.channelId });
      await Outbox.updateOne({ _id: claimed._id, status: 'sending' }, { $set: { status: 'sent', sentAt: now(), sink: receipt.sink, leaseUntil: null, lastError: null } });
      report.sent++;
    } catch (err) {
      const retryable = !(err instanceof SinkError) || err.retryable;
      const wait = err instanceof SinkError && err.retryAfterMs !== undefined ? err.retryAfterMs : backoffMs(claimed.attempts);
      await Outbox.updateOne(
        { _id: claimed._id, status: 'sending' },
        {
          $set: {
            status: retryable ? 'pending' : 'dead',
            nextAttemptAt: new Date(now().getTime() + wait),
            leaseUntil: null,
            lastError: describeError(err).slice(0, 500),
          },
        },
      );
      if (retryable) report.retried++;
      else report.dead++;
      logger.warn({ idempotencyKey: claimed.idempotencyKey, attempts: claimed.attempts, retryable, err: describeError(err) }, 'post not delivered');
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
    Outbox.countDocuments({ status: 'sending' }),
    Outbox.findOne({ status: 'pending' }).sort({ createdAt: 1 }).lean(),
  ]);
  return { pending, dead, sending, oldestPendingAt: oldest?.createdAt ?? null };
}
