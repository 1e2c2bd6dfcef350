import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A local stand-in for Discord's gateway and REST API, enough for the unmodified discord.js
 * Client: GET /gateway/bot, HELLO → IDENTIFY → READY (guild unavailable) → GUILD_CREATE,
 * heartbeat ACKs, INTERACTION_CREATE dispatches, and the REST routes a bot answers with.
 * Every REST request is recorded. `refusing` makes REST answer 503 (an outage).
 */
export const IDS = {
  app: '100000000000000001',
  bot: '100000000000000002',
  guild: '100000000000000003',
  channel: '100000000000000004',
  adminRole: '100000000000000005',
  admin: '100000000000000006',
  member: '100000000000000007',
} as const;

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string;
  /** Parsed JSON body, or the payload_json part of a multipart body. */
  json: unknown;
  /** Files of a multipart body. */
  files: Array<{ name: string; filename: string; data: Buffer }>;
  at: number;
  status: number;
}

let seq = 0n;
export function snowflake(): string {
  seq += 1n;
  return ((BigInt(Date.now() - 1420070400000) << 22n) | seq).toString();
}

function parseMultipart(body: Buffer, contentType: string): { json: unknown; files: RecordedRequest['files'] } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) return { json: undefined, files: [] };
  const files: RecordedRequest['files'] = [];
  let json: unknown;
  const delimiter = Buffer.from(`--${b}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString();
    const data = part.subarray(headerEnd + 4);
    const name = /name="([^"]+)"/.exec(headers)?.[1] ?? '';
    const filename = /filename="([^"]+)"/.exec(headers)?.[1];
    if (filename) files.push({ name, filename, data: Buffer.from(data) });
    else if (name === 'payload_json') json = JSON.parse(data.toString());
    start = next;
  }
  return { json, files };
}

export class DiscordStandIn {
  readonly requests: RecordedRequest[] = [];
  refusing = false;
  /** Script a reply for a REST request (an outage phase, a 429 with Retry-After); undefined = normal. */
  respond: ((r: RecordedRequest) => { status: number; payload?: unknown; headers?: Record<string, string> } | undefined) | undefined;
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private sockets = new Set<WebSocket>();
  private sequence = 0;
  private waiters: Array<{ pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }> = [];
  port = 0;
  /** DM channels opened by POST /users/@me/channels: channel id → recipient. */
  readonly dmChannels = new Map<string, string>();
  /** The id of the last message created by an interaction callback (what a button press refers to). */
  lastMessageId = '';

  get api(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on('connection', (ws) => this.onSocket(ws));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((r) => this.wss?.close(() => r()));
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** Resolve with the first recorded request (past or future) that matches. */
  waitForRequest(pred: (r: RecordedRequest) => boolean, timeoutMs = 5_000): Promise<RecordedRequest> {
    const seen = this.requests.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('stand-in: expected request did not arrive')), timeoutMs);
      this.waiters.push({ pred, resolve: (r) => { clearTimeout(timer); resolve(r); } });
    });
  }

  private send(ws: WebSocket, payload: object): void {
    ws.send(JSON.stringify(payload));
  }

  private dispatch(t: string, d: unknown): void {
    this.sequence++;
    for (const ws of this.sockets) this.send(ws, { op: 0, t, s: this.sequence, d });
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    this.send(ws, { op: 10, d: { heartbeat_interval: 45_000 } });
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as { op: number; d: unknown };
      if (msg.op === 1) this.send(ws, { op: 11 });
      if (msg.op === 2) {
        this.dispatch('READY', {
          v: 10,
          user: { id: IDS.bot, username: 'signaldesk', discriminator: '0', global_name: null, avatar: null, bot: true },
          guilds: [{ id: IDS.guild, unavailable: true }],
          session_id: randomBytes(8).toString('hex'),
          resume_gateway_url: `ws://127.0.0.1:${this.port}`,
          application: { id: IDS.app, flags: 0 },
          shard: [0, 1],
        });
        this.dispatch('GUILD_CREATE', this.guild());
      }
    });
  }

  private guild(): object {
    const role = (id: string, name: string, permissions: string, position: number) => ({
      id, name, permissions, position, color: 0, hoist: false, managed: false, mentionable: false, flags: 0, icon: null, unicode_emoji: null,
    });
    return {
      id: IDS.guild, name: 'Trading Desk', icon: null, owner_id: IDS.admin, afk_timeout: 300, verification_level: 0,
      default_message_notifications: 0, explicit_content_filter: 0, mfa_level: 0, premium_tier: 0, system_channel_flags: 0,
      features: [], emojis: [], stickers: [], preferred_locale: 'en-US', nsfw_level: 0, premium_progress_bar_enabled: false,
      roles: [role(IDS.guild, '@everyone', '0', 0), role(IDS.adminRole, 'desk-admin', '0', 1)],
      channels: [{ id: IDS.channel, type: 0, name: 'ops', position: 0, permission_overwrites: [], guild_id: IDS.guild }],
      threads: [], members: [], voice_states: [], presences: [], stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [],
      member_count: 3, large: false, unavailable: false, joined_at: new Date().toISOString(),
    };
  }

  /** Dispatch an interaction of `type` from `userId` (with `roles`) in the guild's text channel; returns its id. */
  private interact(type: 2 | 3, userId: string, roles: string[], extra: Record<string, unknown>): string {
    const id = snowflake();
    this.dispatch('INTERACTION_CREATE', {
      id, application_id: IDS.app, type, token: `tok-${id}`, version: 1,
      guild_id: IDS.guild, channel_id: IDS.channel,
      channel: { id: IDS.channel, type: 0, guild_id: IDS.guild, name: 'ops', permissions: '0', flags: 0 },
      member: {
        user: { id: userId, username: userId === IDS.admin ? 'alice' : 'bob', discriminator: '0', global_name: null, avatar: null },
        roles, permissions: '0', joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0, pending: false,
      },
      locale: 'en-US', guild_locale: 'en-US', app_permissions: '2248473465835073',
      entitlements: [], authorizing_integration_owners: { '0': IDS.guild }, context: 0, attachment_size_limit: 10485760,
      ...extra,
    });
    return id;
  }

  /** Dispatch a slash command (type 2). Returns the interaction id. */
  sendCommand(name: string, opts: { userId?: string; roles?: string[]; options?: unknown[]; subcommand?: string } = {}): string {
    const options = opts.subcommand ? [{ type: 1, name: opts.subcommand, options: opts.options ?? [] }] : (opts.options ?? []);
    return this.interact(2, opts.userId ?? IDS.admin, opts.roles ?? [], { data: { id: snowflake(), name, type: 1, guild_id: IDS.guild, options } });
  }

  /** Press a button on a message (a type-3 MESSAGE_COMPONENT interaction). Returns the interaction id. */
  pressButton(customId: string, opts: { messageId?: string; userId?: string; roles?: string[] } = {}): string {
    return this.interact(3, opts.userId ?? IDS.admin, opts.roles ?? [], {
      message: { ...(this.message(undefined, IDS.channel) as object), id: opts.messageId ?? this.lastMessageId, flags: 64 },
      data: { custom_id: customId, component_type: 2 },
    });
  }

  private message(body: Record<string, unknown> | undefined, channelId: string): object {
    return {
      id: snowflake(), type: 0, channel_id: channelId, guild_id: IDS.guild,
      author: { id: IDS.bot, username: 'signaldesk', discriminator: '0', global_name: null, avatar: null, bot: true },
      content: (body?.content as string) ?? '', embeds: (body?.embeds as unknown[]) ?? [], attachments: [], components: [],
      mentions: [], mention_roles: [], mention_everyone: false, pinned: false, tts: false, flags: (body?.flags as number) ?? 0,
      timestamp: new Date().toISOString(), edited_timestamp: null,
    };
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const contentType = String(req.headers['content-type'] ?? '');
    const parsed = contentType.startsWith('multipart/')
      ? parseMultipart(body, contentType)
      : { json: body.length ? (JSON.parse(body.toString()) as unknown) : undefined, files: [] };
    const path = decodeURIComponent(url.pathname).replace(/^\/api(\/v\d+)?/, '');
    const record: RecordedRequest = { method: req.method ?? 'GET', path, query: url.searchParams, contentType, ...parsed, at: Date.now(), status: 200 };
    const reply = (status: number, payload?: unknown) => {
      record.status = status;
      this.requests.push(record);
      if (payload === undefined) res.writeHead(status).end();
      else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      for (const w of [...this.waiters]) {
        if (w.pred(record)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(record);
        }
      }
    };
    if (path === '/gateway/bot') {
      reply(200, { url: `ws://127.0.0.1:${this.port}`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } });
      return;
    }
    if (this.refusing) {
      reply(503, { message: 'Service Unavailable (stand-in outage)', code: 0 });
      return;
    }
    const scripted = this.respond?.(record);
    if (scripted) {
      for (const [k, v] of Object.entries(scripted.headers ?? {})) res.setHeader(k, v);
      reply(scripted.status, scripted.payload ?? { message: `stand-in: scripted ${scripted.status}`, code: 0 });
      return;
    }
    const body0 = parsed.json as Record<string, unknown> | undefined;
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && (m = /^\/interactions\/(\d+)\/[^/]+\/callback$/.exec(path))) {
      if (url.searchParams.get('with_response') !== 'true') return reply(204);
      const type = (body0?.type as number) ?? 4;
      const message = this.message(body0?.data as Record<string, unknown> | undefined, IDS.channel) as { id: string };
      this.lastMessageId = message.id;
      return reply(200, {
        interaction: { id: m[1], type: 2, response_message_id: message.id, response_message_loading: type === 5, response_message_ephemeral: true },
        resource: { type, message },
      });
    }
    if (req.method === 'PATCH' && (m = /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/.exec(path))) {
      const msg = this.message(body0, IDS.channel) as { id: string };
      this.lastMessageId = msg.id;
      return reply(200, { ...msg, components: body0?.components ?? [] });
    }
    if (req.method === 'POST' && /^\/webhooks\/\d+\/[^/]+$/.test(path)) return reply(200, this.message(body0, IDS.channel));
    if (req.method === 'POST' && path === '/users/@me/channels') {
      const recipient = String(body0?.recipient_id ?? '');
      const existing = [...this.dmChannels].find(([, u]) => u === recipient)?.[0];
      const id = existing ?? snowflake();
      this.dmChannels.set(id, recipient);
      return reply(200, { id, type: 1, last_message_id: null, flags: 0, recipients: [{ id: recipient, username: 'member', discriminator: '0', global_name: null, avatar: null }] });
    }
    if (req.method === 'POST' && (m = /^\/channels\/(\d+)\/messages$/.exec(path))) return reply(200, this.message(body0, m[1]!));
    reply(404, { message: `stand-in: no route for ${req.method} ${path}`, code: 0 });
  }
}
