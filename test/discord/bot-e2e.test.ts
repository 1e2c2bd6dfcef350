import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { AuditEntry } from '../../src/db/models/audit-entry.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { startBot, type Bot } from '../../src/discord/bot.js';
import { deliverPending } from '../../src/notify/delivery.js';
import { enqueuePost } from '../../src/notify/outbox.js';
import { nonceFor } from '../../src/notify/sinks/discord-channel-sink.js';
import { openRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { testEnv } from '../helpers/db.js';
import { DiscordStandIn, IDS } from '../helpers/discord-stand-in.js';

/** The unmodified discord.js Client, talking to a local stand-in for Discord's gateway and REST API. */
describe('Discord bot end to end (real discord.js client, local stand-in)', () => {
  const discord = new DiscordStandIn();
  let rt: Runtime;
  let bot: Bot;

  before(async () => {
    await discord.start();
    const env = testEnv({
      DISCORD_TOKEN: 'stand-in-token-0123456789',
      DISCORD_APP_ID: IDS.app,
      DISCORD_API_URL: discord.api,
      DISCORD_ADMIN_ROLE_IDS: IDS.adminRole,
      DISCORD_CHANNEL_OPS: IDS.channel,
    });
    rt = await openRuntime(env, { dbName: `t_bot_${Date.now()}`, keepLogger: true });
    bot = await startBot(rt);
  });

  after(async () => {
    await bot?.stop(); // client.destroy() before the stand-in closes
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await rt?.close();
    await discord.stop();
  });

  test('the client logged in and saw the guild and its channel', () => {
    assert.equal(bot.client.user?.id, IDS.bot);
    assert.equal(bot.client.guilds.cache.get(IDS.guild)?.channels.cache.has(IDS.channel), true);
  });

  test('/health by an admin is deferred within 3 seconds and answered with an embed', async () => {
    const sentAt = Date.now();
    const id = discord.sendCommand('health', { userId: IDS.admin, roles: [IDS.adminRole] });
    const callback = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    assert.ok(callback.at - sentAt < 3_000, `acknowledged in ${callback.at - sentAt} ms`);
    assert.equal((callback.json as { type: number }).type, 5, 'deferred (DeferredChannelMessageWithSource)');
    assert.equal((callback.json as { data: { flags: number } }).data.flags & 64, 64, 'ephemeral');
    const edit = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path === `/webhooks/${IDS.app}/tok-${id}/messages/@original`);
    const embed = (edit.json as { embeds: Array<{ title: string; fields: Array<{ name: string; value: string }> }> }).embeds[0]!;
    assert.match(embed.title, /^Health/);
    assert.match(embed.fields.find((f) => f.name === 'Database')!.value, /ping \d/);
    assert.ok(embed.fields.some((f) => f.name === 'Last runs' && f.value.includes('fetch-market-data')));
  });

  test('/health by a non-admin is denied ephemerally and audited', async () => {
    const id = discord.sendCommand('health', { userId: IDS.member, roles: [] });
    const callback = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    const body = callback.json as { type: number; data: { content: string; flags: number } };
    assert.equal(body.type, 4);
    assert.equal(body.data.flags & 64, 64);
    assert.match(body.data.content, /for admins/);
    const deadline = Date.now() + 2_000;
    let entry = await AuditEntry.findOne({ actorId: IDS.member }).lean();
    while (!entry && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      entry = await AuditEntry.findOne({ actorId: IDS.member }).lean();
    }
    assert.equal(entry?.result, 'denied');
    assert.equal(entry?.action, '/health');
    assert.equal(discord.requests.some((r) => r.path.includes(`tok-${id}/messages/@original`)), false, 'nothing else was sent');
  });

  test('a channel post queued while Discord refuses is delivered exactly once after it recovers', async () => {
    await enqueuePost('e2e-post-1', { kind: 'ops', title: 'Outage probe', description: 'queued during an outage' });
    discord.refusing = true;
    const during = await deliverPending(rt.env);
    assert.deepEqual(during, { sent: 0, retried: 1, dead: 0 });
    assert.equal((await Outbox.findOne({ idempotencyKey: 'e2e-post-1' }).lean())?.status, 'pending');
    discord.refusing = false;
    await Outbox.updateOne({ idempotencyKey: 'e2e-post-1' }, { $set: { nextAttemptAt: new Date(0) } }); // the back-off has passed
    const afterRecovery = await deliverPending(rt.env);
    assert.equal(afterRecovery.sent, 1);
    assert.equal((await deliverPending(rt.env)).sent, 0);
    const posted = discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${IDS.channel}/messages` && r.status === 200);
    assert.equal(posted.length, 1, 'delivered exactly once');
    const body = posted[0]!.json as { embeds: Array<{ title: string }>; nonce: string; enforce_nonce: boolean };
    assert.equal(body.embeds[0]!.title, 'Outage probe');
    assert.equal(body.nonce, nonceFor('e2e-post-1'));
    assert.equal(body.enforce_nonce, true);
  });
});
