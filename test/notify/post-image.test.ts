import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { buildPost } from '../../src/notify/post.js';
import { toEmbed, toText } from '../../src/notify/render.js';
import { DiscordChannelSink } from '../../src/notify/sinks/discord-channel-sink.js';
import { WebhookSink } from '../../src/notify/sinks/webhook-sink.js';
import { SinkError } from '../../src/notify/sinks/sink.js';
import { DiscordStandIn, IDS } from '../helpers/discord-stand-in.js';

// The 8-byte PNG signature and a little more: enough to tell the file arrived as bytes.
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const post = buildPost({ kind: 'digests', title: 'Week', image: { filename: 'week-main.png', base64: PNG.toString('base64') } });

test('a post with an image: the embed shows attachment://, the console names the file', () => {
  assert.deepEqual(toEmbed(post).image, { url: 'attachment://week-main.png' });
  assert.match(toText(post), /\[image week-main.png, 0 KB\]/);
  assert.throws(() => buildPost({ kind: 'ops', title: 'x', image: { filename: '../../etc/passwd', base64: 'AA==' } }));
});

test('the webhook sink sends the image as multipart files[0] beside payload_json', async () => {
  let contentType = '';
  let raw = Buffer.alloc(0);
  const server = createServer((req, res) => {
    contentType = String(req.headers['content-type']);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      raw = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"9"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await new WebhookSink(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/1/t`).send({ idempotencyKey: 'i', channelKey: 'digests', post });
    assert.match(contentType, /^multipart\/form-data; boundary=/);
    assert.match(raw.toString('latin1'), /name="payload_json"[\s\S]*attachment:\/\/week-main.png/);
    assert.match(raw.toString('latin1'), /name="files\[0\]"; filename="week-main.png"/);
    assert.ok(raw.includes(PNG), 'the PNG bytes are in the body');
  } finally {
    server.close();
  }
});

test('the Discord channel sink uploads the image with the embed (real discord.js REST against the stand-in)', async () => {
  const standIn = new DiscordStandIn();
  await standIn.start();
  const sink = new DiscordChannelSink({ token: 'x'.repeat(40), channelFor: () => IDS.channel, api: standIn.api });
  try {
    await sink.send({ idempotencyKey: 'img', channelKey: 'digests', post });
    const req = standIn.requests.find((r) => r.path === `/channels/${IDS.channel}/messages`)!;
    assert.equal(req.files[0]?.filename, 'week-main.png');
    assert.ok(req.files[0]!.data.equals(PNG));
    assert.equal((req.json as { embeds: Array<{ image: { url: string } }> }).embeds[0]!.image.url, 'attachment://week-main.png');
  } finally {
    sink.destroy();
    await standIn.stop();
  }
});

test('a 429 to a channel post or a DM is retryable with Discord’s wait, and its error names the rate limit and the route', async () => {
  const standIn = new DiscordStandIn();
  await standIn.start();
  const sink = new DiscordChannelSink({ token: 'x'.repeat(40), channelFor: () => IDS.channel, api: standIn.api });
  standIn.respond = (r) => (r.method === 'POST' && r.path.endsWith('/messages') ? { status: 429, headers: { 'retry-after': '7' }, payload: { message: 'You are being rate limited.', retry_after: 7, global: false } } : undefined);
  try {
    for (const send of [() => sink.send({ idempotencyKey: 'rl', channelKey: 'digests', post }), () => sink.toUser('42').send({ idempotencyKey: 'rl-dm', channelKey: 'scans', post })]) {
      const err = await send().then(() => undefined, (e: unknown) => e as SinkError);
      assert.ok(err instanceof SinkError, 'refused');
      assert.equal(err.retryable, true);
      assert.ok((err.retryAfterMs ?? 0) >= 6_000, `waits as Discord asked (${err.retryAfterMs} ms)`);
      assert.match(err.message, /^discord(-dm)?: rate limited on POST \/channels\/(:id|\d+)\/messages/);
    }
  } finally {
    sink.destroy();
    await standIn.stop();
  }
});
