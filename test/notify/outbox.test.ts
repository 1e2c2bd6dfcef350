import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Outbox } from '../../src/db/models/outbox.js';
import { latestLease, takeLease } from '../../src/db/lease.js';
import { backoffMs, CLAIM_SCOPE, deliverDue, enqueuePost } from '../../src/notify/outbox.js';
import { createSinkRouter } from '../../src/notify/router.js';
import { buildPost, embedLength, EMBED_LIMITS } from '../../src/notify/post.js';
import { toText } from '../../src/notify/render.js';
import { ConsoleSink } from '../../src/notify/sinks/console-sink.js';
import { SinkError, type Delivery, type Sink } from '../../src/notify/sinks/sink.js';
import { WebhookSink } from '../../src/notify/sinks/webhook-sink.js';
import { clearCollections, testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('outbox');

class ScriptedSink implements Sink {
  readonly name = 'scripted';
  readonly sent: Delivery[] = [];
  failures: Array<SinkError | Error> = [];
  async send(d: Delivery) {
    const f = this.failures.shift();
    if (f) throw f;
    this.sent.push(d);
    return { sink: this.name };
  }
}

const post = { kind: 'signals' as const, title: 'Signal · 2024-03-15', description: 'BUY 80%' };

describe('outbox', () => {
  beforeEach(clearCollections);

  test('a post queued twice under one key is stored and sent once', async () => {
    assert.equal((await enqueuePost('k1', post)).queued, true);
    assert.equal((await enqueuePost('k1', post)).queued, false);
    const sink = new ScriptedSink();
    const r = await deliverDue({ sinkFor: () => sink });
    assert.equal(r.sent, 1);
    assert.equal(sink.sent.length, 1);
    assert.equal((await deliverDue({ sinkFor: () => sink })).sent, 0);
    assert.equal((await Outbox.findOne({ idempotencyKey: 'k1' }).lean())?.status, 'sent');
  });

  test('an undeliverable post waits with back-off and goes out later, exactly once', async () => {
    let clock = new Date('2024-03-15T12:00:00Z');
    await enqueuePost('k2', post, clock);
    const sink = new ScriptedSink();
    sink.failures = [new SinkError('discord: 503', { retryable: true }), new SinkError('discord: 429', { retryable: true, retryAfterMs: 2_000 })];
    const now = () => clock;
    assert.deepEqual(await deliverDue({ sinkFor: () => sink, now }), { sent: 0, retried: 1, dead: 0 });
    let doc = await Outbox.findOne({ idempotencyKey: 'k2' }).lean();
    assert.equal(doc?.status, 'pending');
    assert.ok(doc!.nextAttemptAt > clock, 'next attempt is in the future');
    assert.equal((await deliverDue({ sinkFor: () => sink, now })).sent, 0, 'not due yet');
    clock = new Date(doc!.nextAttemptAt.getTime() + 1);
    await deliverDue({ sinkFor: () => sink, now });
    doc = await Outbox.findOne({ idempotencyKey: 'k2' }).lean();
    assert.equal(doc!.nextAttemptAt.getTime() - clock.getTime(), 2_000, 'Retry-After is honoured');
    clock = new Date(doc!.nextAttemptAt.getTime() + 1);
    assert.equal((await deliverDue({ sinkFor: () => sink, now })).sent, 1);
    assert.equal(sink.sent.length, 1);
    assert.equal((await Outbox.findOne({ idempotencyKey: 'k2' }).lean())?.attempts, 3);
  });

  test('a permanent refusal is kept as dead, not dropped', async () => {
    await enqueuePost('k3', post);
    const sink = new ScriptedSink();
    sink.failures = [new SinkError('discord: 404 Unknown Channel', { retryable: false })];
    assert.equal((await deliverDue({ sinkFor: () => sink })).dead, 1);
    const doc = await Outbox.findOne({ idempotencyKey: 'k3' }).lean();
    assert.equal(doc?.status, 'dead');
    assert.match(doc?.lastError ?? '', /Unknown Channel/);
  });

  test('a delivery abandoned mid-send (its claim still live) is left alone, and taken over as the next attempt after the claim expires', async () => {
    const t = new Date('2024-03-15T12:00:00Z');
    await enqueuePost('k4', post, t);
    const row = await Outbox.findOne({ idempotencyKey: 'k4' }).lean();
    // A deliverer claimed attempt 1 and died before recording anything.
    assert.ok(await takeLease(CLAIM_SCOPE, String(row!._id), { fromGen: 1, ttlMs: 1_000, now: t, holder: 'dead-worker' }));
    const sink = new ScriptedSink();
    assert.equal((await deliverDue({ sinkFor: () => sink, now: () => t })).sent, 0, 'claim still held');
    assert.equal((await deliverDue({ sinkFor: () => sink, now: () => new Date(t.getTime() + 2000) })).sent, 1);
    assert.equal((await Outbox.findOne({ idempotencyKey: 'k4' }).lean())?.attempts, 2, 'the take-over is attempt 2');
  });

  test('a long Retry-After releases the claim and schedules the post; nobody sends it during the wait', async () => {
    const t = new Date('2024-03-15T12:00:00Z');
    await enqueuePost('k5', post, t);
    const sink = new ScriptedSink();
    sink.failures = [new SinkError('discord: 429', { retryable: true, retryAfterMs: 150_000 })];
    // Returns without waiting out the 150 s (a deliverer that slept on it would hang this test).
    assert.deepEqual(await deliverDue({ sinkFor: () => sink, now: () => t }), { sent: 0, retried: 1, dead: 0 });
    const doc = await Outbox.findOne({ idempotencyKey: 'k5' }).lean();
    assert.equal(doc!.nextAttemptAt.getTime(), t.getTime() + 150_000);
    assert.equal((await latestLease(CLAIM_SCOPE, String(doc!._id)))?.released, true, 'claim released, not held through the wait');
    for (const dt of [1_000, 60_000, 149_000]) {
      assert.equal((await deliverDue({ sinkFor: () => sink, now: () => new Date(t.getTime() + dt) })).sent, 0, `nothing sent ${dt} ms in`);
    }
    assert.equal((await deliverDue({ sinkFor: () => sink, now: () => new Date(t.getTime() + 150_001) })).sent, 1);
    assert.equal(sink.sent.length, 1);
  });

  test('a claim too close to its expiry starts no send', async () => {
    await enqueuePost('k6', post);
    const sink = new ScriptedSink();
    // A claim of 5 s cannot cover a 20 s send budget: the deliverer must not start the send.
    assert.equal((await deliverDue({ sinkFor: () => sink, leaseMs: 5_000, sendBudgetMs: 20_000 })).sent, 0);
    assert.equal(sink.sent.length, 0);
    assert.equal((await deliverDue({ sinkFor: () => sink })).sent, 1, 'a normal claim sends it');
  });

  test('a post is delivered only by a process that can serve its destination', async () => {
    const discordProc = createSinkRouter(testEnv({ DISCORD_TOKEN: 'x'.repeat(40), DISCORD_CHANNEL_OPS: '111111111111111111', DISCORD_APP_ID: '222222222222222222', DISCORD_API_URL: 'http://127.0.0.1:9/api' }));
    const webhookProc = createSinkRouter(testEnv({ DISCORD_WEBHOOK_URL: 'http://127.0.0.1:9/api/webhooks/1/a' }));
    const otherWebhook = createSinkRouter(testEnv({ DISCORD_WEBHOOK_URL: 'http://127.0.0.1:9/api/webhooks/2/b' }));
    const plainCli = createSinkRouter(testEnv());
    try {
      await enqueuePost('to-discord', { kind: 'ops', title: 'd' }, new Date(), discordProc.destinationFor('ops'));
      await enqueuePost('to-webhook', { kind: 'ops', title: 'w' }, new Date(), webhookProc.destinationFor('ops'));
      const row = await Outbox.findOne({ idempotencyKey: 'to-discord' }).lean();
      assert.deepEqual(row!.destination, { sink: 'discord' as const, channelId: '111111111111111111' });
      const printed: string[] = [];
      const captured = createSinkRouter(testEnv(), new ConsoleSink((x) => printed.push(x)));
      // An operator's CLI with no token and no webhook prints neither.
      assert.equal((await deliverDue({ sinkFor: (d, k, c) => captured.sinkFor(d, k, c) })).sent, 0);
      assert.equal(printed.length, 0);
      assert.equal(plainCli.sinkFor({ sink: 'discord' as const, channelId: '111111111111111111' }, 'ops'), undefined);
      assert.equal(otherWebhook.sinkFor((await Outbox.findOne({ idempotencyKey: 'to-webhook' }).lean())!.destination, 'ops'), undefined, 'another webhook does not take it');
      assert.equal(webhookProc.sinkFor((await Outbox.findOne({ idempotencyKey: 'to-webhook' }).lean())!.destination, 'ops')?.name, 'webhook');
      assert.equal(discordProc.sinkFor(row!.destination, 'ops')?.name, 'discord');
      assert.equal((await Outbox.countDocuments({ status: 'pending' })), 2, 'both wait for their own deliverer');
    } finally {
      for (const r of [discordProc, webhookProc, otherWebhook, plainCli]) r.close();
    }
  });

  test('back-off doubles to a 15-minute ceiling', () => {
    assert.equal(backoffMs(1, () => 0.5), 5_000);
    assert.equal(backoffMs(3, () => 0.5), 20_000);
    assert.equal(backoffMs(30, () => 0.5), 900_000);
  });
});

describe('webhook sink against a local HTTP server', () => {
  let server: Server;
  let url = '';
  const requests: Array<{ path: string; body: unknown }> = [];
  const replies: Array<[number, unknown]> = [];
  let acceptDelayMs = 0;
  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', body: JSON.parse(body || '{}') });
        const [status, payload] = replies.shift() ?? [200, { id: '1' }];
        setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload)), acceptDelayMs);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/123/secret-token`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('sends the embed, maps 429 retry_after to a retryable error, and 404 to a permanent one', async () => {
    const sink = new WebhookSink(url, 2_000);
    const delivery = { idempotencyKey: 'w', channelKey: 'ops', post: buildPost({ ...post, demo: true }) };
    replies.push([429, { message: 'You are being rate limited.', retry_after: 1.5 }], [404, { message: 'Unknown Webhook' }]);
    await assert.rejects(sink.send(delivery), (e: SinkError) => e.retryable && e.retryAfterMs === 1500);
    await assert.rejects(sink.send(delivery), (e: SinkError) => !e.retryable && /Unknown Webhook/.test(e.message) && !e.message.includes('secret-token'));
    const ok = await sink.send(delivery);
    assert.equal(ok.messageId, '1');
    const last = requests.at(-1)!;
    assert.match(last.path, /\?wait=true$/);
    const embed = (last.body as { embeds: Array<{ title: string; description: string }> }).embeds[0]!;
    assert.equal(embed.title, 'Signal · 2024-03-15');
    assert.match(embed.description, /DEMO DATA/);
  });

  test('a slow accept is waited for, not taken for a failure: posted once (webhooks take no nonce)', async () => {
    await clearCollections();
    const sink = new WebhookSink(url);
    assert.ok(sink.timeoutMs >= 45_000, 'a webhook send waits 45 s for its answer');
    const before = requests.length;
    await enqueuePost('slow-accept', post, new Date(), { sink: 'webhook', target: 'w' });
    // A claim too short for the webhook's wait starts no send at all.
    const short = await deliverDue({ sinkFor: () => sink, leaseMs: 30_000 });
    assert.equal(short.sent + short.retried, 0);
    assert.equal(requests.length, before);
    // Discord accepts after 16 s, past the old 15 s limit that retried (and so doubled) such posts.
    acceptDelayMs = 16_000;
    try {
      const r = await deliverDue({ sinkFor: () => sink });
      assert.deepEqual([r.sent, r.retried], [1, 0]);
      const again = await deliverDue({ sinkFor: () => sink, now: () => new Date(Date.now() + 3_600_000) });
      assert.equal(again.sent + again.retried, 0);
    } finally {
      acceptDelayMs = 0;
    }
    assert.equal(requests.length, before + 1, 'one request reached the webhook');
    assert.equal((await Outbox.findOne({ idempotencyKey: 'slow-accept' }).lean())?.status, 'sent');
  });
});

describe('post rendering', () => {
  test('long posts are cut to Discord limits instead of failing delivery', () => {
    const p = buildPost({ kind: 'scans', title: 'x'.repeat(400), fields: Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(1500) })) });
    assert.equal(p.title.length, EMBED_LIMITS.title);
    assert.ok(p.fields.length <= EMBED_LIMITS.fields);
    assert.ok(embedLength(p) <= EMBED_LIMITS.total);
  });

  test('the console sink prints the post as a person would read it', async () => {
    const lines: string[] = [];
    await new ConsoleSink((t) => lines.push(t)).send({ idempotencyKey: 'c', channelKey: 'ops', post: buildPost({ ...post, demo: true, fields: [{ name: 'Action', value: 'BUY' }] }) });
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^┌─ \[signals\] Signal · 2024-03-15/);
    assert.match(lines[0]!, /DEMO DATA/);
    assert.match(lines[0]!, /│ Action: BUY/);
    assert.equal(lines[0], toText(buildPost({ ...post, demo: true, fields: [{ name: 'Action', value: 'BUY' }] })));
  });
});
