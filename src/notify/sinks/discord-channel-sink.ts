import { createHash } from 'node:crypto';
import type { REST } from 'discord.js';
import { imageFile, toEmbed } from '../render.js';
import { SUPPRESS_NOTIFICATIONS, SinkError, sinkErrorFromStatus, type Delivery, type DeliveryReceipt, type Sink } from './sink.js';

/** Discord's message nonce (max 25 chars), derived from the idempotency key: with enforce_nonce,
 * Discord itself drops a second send of the same post made within a few minutes. */
export function nonceFor(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 25);
}

/** Discord's "Cannot send messages to this user" (DMs closed or no shared server). */
export const DMS_CLOSED = 50007;

export interface DiscordChannelSinkOptions {
  token: string;
  channelFor: (channelKey: string) => string | undefined;
  /** Override the API base (tests point it at the local stand-in). */
  api?: string | undefined;
  timeoutMs?: number;
}

type DiscordLib = typeof import('discord.js');

/**
 * Posts through Discord's REST API (no gateway needed), one channel per alert type. discord.js is loaded
 * on the first send, not when the sink is made: a CLI read routes posts but never sends one.
 */
export class DiscordChannelSink implements Sink {
  readonly name = 'discord';
  private client: Promise<{ rest: REST; lib: DiscordLib }> | undefined;
  private loaded: REST | undefined;
  private destroyed = false;

  constructor(private readonly opts: DiscordChannelSinkOptions) {}

  private connect(): Promise<{ rest: REST; lib: DiscordLib }> {
    this.client ??= import('discord.js').then((lib) => {
      // retries: 0 and rejectOnRateLimit — the outbox owns back-off: a 429 (or a bucket known to be
      // empty) becomes an error carrying its wait, never a sleep inside the send while a claim runs out.
      const rest = new lib.REST({
        version: '10', retries: 0, timeout: this.opts.timeoutMs ?? 15_000, rejectOnRateLimit: () => true, ...(this.opts.api ? { api: this.opts.api } : {}),
      }).setToken(this.opts.token);
      this.loaded = rest;
      if (this.destroyed) this.destroy();
      return { rest, lib };
    });
    return this.client;
  }

  canDeliver(channelKey: string, channelId?: string | null): boolean {
    return Boolean(channelId) || this.opts.channelFor(channelKey) !== undefined;
  }

  async send(delivery: Delivery): Promise<DeliveryReceipt> {
    const channelId = delivery.channelId || this.opts.channelFor(delivery.channelKey);
    if (!channelId) throw new SinkError(`discord: no channel configured for ${delivery.channelKey}`, { retryable: false });
    const { rest, lib } = await this.connect();
    const { DiscordAPIError, HTTPError, Routes } = lib;
    try {
      const file = imageFile(delivery.post);
      const res = (await rest.post(Routes.channelMessages(channelId), {
        body: {
          embeds: [toEmbed(delivery.post)], nonce: nonceFor(delivery.idempotencyKey), enforce_nonce: true,
          ...(delivery.silent ? { flags: SUPPRESS_NOTIFICATIONS } : {}),
        },
        ...(file ? { files: [file] } : {}),
      })) as { id?: string };
      return { sink: this.name, messageId: res.id };
    } catch (err) {
      if (err instanceof DiscordAPIError || err instanceof HTTPError) {
        throw sinkErrorFromStatus(this.name, err.status, err.message);
      }
      throw transientError('discord', err);
    }
  }

  /**
   * A sink for one member's direct messages: open (or reuse) the DM channel, then post. A member whose DMs
   * are closed (Discord error 50007) is a permanent refusal: the post goes dead, recorded, never retried.
   */
  toUser(userId: string): Sink {
    return {
      name: 'discord-dm',
      send: async (delivery) => {
        const { rest, lib } = await this.connect();
        const { DiscordAPIError, HTTPError, Routes } = lib;
        try {
          const channel = (await rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
          const file = imageFile(delivery.post);
          const res = (await rest.post(Routes.channelMessages(channel.id), {
            body: { embeds: [toEmbed(delivery.post)], nonce: nonceFor(delivery.idempotencyKey), enforce_nonce: true },
            ...(file ? { files: [file] } : {}),
          })) as { id?: string };
          return { sink: 'discord-dm', messageId: res.id };
        } catch (err) {
          if (err instanceof DiscordAPIError && err.code === DMS_CLOSED) {
            throw new SinkError(`discord-dm: member ${userId} does not accept direct messages (Discord error ${DMS_CLOSED})`, { retryable: false });
          }
          if (err instanceof DiscordAPIError || err instanceof HTTPError) throw sinkErrorFromStatus('discord-dm', err.status, err.message);
          throw transientError('discord-dm', err);
        }
      },
    };
  }

  destroy(): void {
    this.destroyed = true;
    this.loaded?.clearHashSweeper();
    this.loaded?.clearHandlerSweeper();
  }
}

/**
 * A RateLimitError (rejectOnRateLimit), a timeout or a refused connection: retryable, with the wait Discord
 * asked for. A rate limit's own message is empty, so the text names it and the route.
 */
function transientError(sink: string, err: unknown): SinkError {
  const e = err as { retryAfter?: number; timeToReset?: number; route?: string; method?: string; message?: string; name?: string };
  const retryAfterMs = e.retryAfter || e.timeToReset || undefined;
  const what = retryAfterMs !== undefined && !e.message
    ? `rate limited on ${e.method ?? ''} ${e.route ?? 'a route'}`.replace(/\s+/g, ' ')
    : e.message || e.name || String(err);
  return new SinkError(`${sink}: ${what}`, { retryable: true, retryAfterMs });
}
