import type { Env } from '../config/env.js';
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
  };
  return byKind[kind as AlertType] ?? env.DISCORD_CHANNEL_OPS;
}

export interface SinkRouter {
  sinkFor(channelKey: string, channelId?: string | null): Sink;
  close(): void;
}

/**
 * Routing: a Discord channel when a token and a channel for the alert type (or the ops channel)
 * are set; else the webhook when one is set; else the console.
 */
export function createSinkRouter(env: Env, consoleSink: Sink = new ConsoleSink()): SinkRouter {
  const discord = env.DISCORD_TOKEN
    ? new DiscordChannelSink({ token: env.DISCORD_TOKEN, channelFor: (k) => channelIdFor(env, k), api: env.DISCORD_API_URL })
    : undefined;
  const webhook = env.DISCORD_WEBHOOK_URL ? new WebhookSink(env.DISCORD_WEBHOOK_URL) : undefined;
  return {
    sinkFor(channelKey, channelId) {
      if (discord?.canDeliver(channelKey, channelId)) return discord;
      if (webhook) return webhook;
      return consoleSink;
    },
    close() {
      discord?.destroy();
    },
  };
}
