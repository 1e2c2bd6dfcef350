import { createHash } from 'node:crypto';
import type { Env } from '../config/env.js';
import type { Destination } from './outbox.js';
import type { AlertType } from './post.js';
import { ConsoleSink } from './sinks/console-sink.js';
import { DiscordChannelSink } from './sinks/discord-channel-sink.js';
import type { Sink } from './sinks/sink.js';
import { WebhookSink } from './sinks/webhook-sink.js';

export function channelIdFor(env: Env, kind: string): string | undefined {
  const byKind: Record<AlertType, string | undefined> = {
    signals: env.DISCORD_CHANNEL_SIGNALS,
    trades: env.DISCORD_CHANNEL_TRADES,
    scans: env.DISCORD_CHANNEL_SCANS,
    digests: env.DISCORD_CHANNEL_DIGESTS,
    tuning: env.DISCORD_CHANNEL_TUNING,
    ops: env.DISCORD_CHANNEL_OPS,
    congress: env.DISCORD_CHANNEL_CONGRESS,
    ideas: env.DISCORD_CHANNEL_IDEAS ?? env.DISCORD_CHANNEL_SIGNALS,
  };
  return byKind[kind as AlertType] ?? env.DISCORD_CHANNEL_OPS;
}

/** A webhook's identity without its secret: the first 16 hex digits of the URL's SHA-256. */
export function webhookTarget(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

export interface SinkRouter {
  /** Where a post of this kind queued by this process goes. */
  destinationFor(channelKey: string): Destination;
  /** The sink that serves a destination here, or undefined when this process cannot serve it. */
  sinkFor(destination: Destination | null, channelKey: string, channelId?: string | null): Sink | undefined;
  close(): void;
}

/**
 * Routing: a Discord channel when a token and a channel for the alert type (or the ops channel)
 * are set; else the webhook when one is set; else the console. The choice is made when a post is
 * queued and stored with it; a process delivers only what it can serve: Discord posts need a token,
 * webhook posts the same webhook URL, console posts go to whoever prints them.
 */
export function createSinkRouter(env: Env, consoleSink: Sink = new ConsoleSink()): SinkRouter {
  const discord = env.DISCORD_TOKEN
    ? new DiscordChannelSink({ token: env.DISCORD_TOKEN, channelFor: (k) => channelIdFor(env, k), api: env.DISCORD_API_URL })
    : undefined;
  const webhook = env.DISCORD_WEBHOOK_URL ? new WebhookSink(env.DISCORD_WEBHOOK_URL) : undefined;
  const target = env.DISCORD_WEBHOOK_URL ? webhookTarget(env.DISCORD_WEBHOOK_URL) : null;
  const legacy = (channelKey: string, channelId?: string | null): Sink => {
    if (discord?.canDeliver(channelKey, channelId)) return discord;
    return webhook ?? consoleSink;
  };
  return {
    destinationFor(channelKey) {
      if (discord?.canDeliver(channelKey)) return { sink: 'discord', channelId: channelIdFor(env, channelKey) ?? null };
      if (webhook) return { sink: 'webhook', target };
      return { sink: 'console' };
    },
    sinkFor(destination, channelKey, channelId) {
      if (!destination) return legacy(channelKey, channelId);
      switch (destination.sink) {
        case 'discord':
          return discord;
        case 'webhook':
          return webhook && destination.target === target ? webhook : undefined;
        case 'console':
          return consoleSink;
        case 'dm':
          // A member's direct message: only a process with a bot token sends it; without one it waits.
          return discord && destination.userId ? discord.toUser(destination.userId) : undefined;
        default:
          return undefined;
      }
    },
    close() {
      discord?.destroy();
    },
  };
}
