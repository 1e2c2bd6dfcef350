import { isRetryableStatus } from '../../net/retry-policy.js';
import type { Post } from '../post.js';

export interface Delivery {
  idempotencyKey: string;
  channelKey: string;
  post: Post;
  /** Deliver without a notification (silent alert type, quiet hours). */
  silent?: boolean;
  /** A channel chosen by the alert policy, over the environment's. */
  channelId?: string | null;
}

/** Discord's SUPPRESS_NOTIFICATIONS message flag. */
export const SUPPRESS_NOTIFICATIONS = 1 << 12;

export interface DeliveryReceipt {
  sink: string;
  messageId?: string | undefined;
}

/** Where posts go: the console, a Discord channel, a Discord webhook. */
export interface Sink {
  readonly name: string;
  /** How long one send may wait for its answer (the outbox starts a send only with a claim that outlives it). */
  readonly timeoutMs?: number;
  send(delivery: Delivery): Promise<DeliveryReceipt>;
}

/** A failed send; `retryable` decides between back-off and giving up ('dead'). */
export class SinkError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, opts: { retryable: boolean; retryAfterMs?: number | undefined }) {
    super(message);
    this.name = 'SinkError';
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** HTTP status → SinkError: 429 and 5xx (and no answer at all) are worth retrying, other 4xx are not. */
export function sinkErrorFromStatus(sink: string, status: number | undefined, detail: string, retryAfterMs?: number): SinkError {
  const retryable = status === undefined || isRetryableStatus(status);
  return new SinkError(`${sink}: ${status ?? 'no response'} ${detail}`.trim(), { retryable, retryAfterMs });
}
