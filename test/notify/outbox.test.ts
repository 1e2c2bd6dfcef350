import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Outbox } from '../../src/db/models/outbox.js';
import { backoffMs, deliverDue, enqueuePost } from '../../src/notify/outbox.js';
import { buildPost, embedLength, EMBED_LIMITS } from '../../src/notify/post.js';
import { toText } from '../../src/notify/render.js';
import { ConsoleSink } from '../../src/notify/sinks/console-sink.js';
import { SinkError, type Delivery, type Sink } from '../../src/notify/sinks/sink.js';
import { WebhookSink } from '../../src/notify/sinks/webhook-sink.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

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

  test('a delivery abandoned mid-send is picked up again after its lease', async () => {
    const t = new Date('2024-03-15T12:00:00Z');
    await enqueuePost('k4', post, t);
    await Outbox.updateOne({ idempotencyKey: 'k4' }, { $set: { status: 'sending', leaseUntil: new Date(t.getTime() + 1000) } });
    const sink = new ScriptedSink();
    assert.equal((await deliverDue({ sinkFor: () => sink, now: () => t })).sent, 0, 'lease still held');
    assert.equal((await deliverDue({ sinkFor: () => sink, now: () => new Date(t.getTime() + 2000) })).sent, 1);
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
  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', body: JSON.parse(body || '{}') });
        const [status, payload] = replies.shift() ?? [200, { id: '1' }];
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
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
