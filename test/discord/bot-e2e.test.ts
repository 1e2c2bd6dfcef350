import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { AuditEntry } from '../../src/db/models/audit-entry.js';
import { Outbox, OutboxQueue } from '../../src/db/models/outbox.js';
import { DemoProvider } from '../../src/market-data/demo-provider.js';
import { fetchMarketData } from '../../src/market-data/fetch-service.js';
import { Trade } from '../../src/db/models/trade.js';
import { TradingConfig } from '../../src/db/models/trading-config.js';
import { Signal } from '../../src/db/models/signal.js';
import { IdeaMonth, IdeaSlot } from '../../src/db/models/ideas.js';
import { setConfig } from '../../src/strategy/config-service.js';
import { evaluateWatchlists } from '../../src/analysis/watch-service.js';
import { requireJob } from '../../src/scheduler/jobs-service.js';
import { runJob } from '../../src/scheduler/run-job.js';
import { Confirmation } from '../../src/db/models/confirmation.js';
import { TradingState } from '../../src/db/models/trading-state.js';
import { startBot, type Bot } from '../../src/discord/bot.js';
import { deliverPending } from '../../src/notify/delivery.js';
import { enqueuePost } from '../../src/notify/outbox.js';
import { nonceFor } from '../../src/notify/sinks/discord-channel-sink.js';
import { openRuntime, startHeavyWork, type Runtime } from '../../src/runtime/runtime.js';
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
    await startHeavyWork(rt); // as `npm start` does: charts, backtests and job handlers on worker threads
    bot = await startBot(rt);
  });

  after(async () => {
    await bot?.stop(); // client.destroy() before the stand-in closes
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await rt?.close();
    await discord.stop();
  });

  test('heavy work runs on worker threads in a process that answers Discord', () => {
    assert.equal(rt.heavy.mode, 'threads');
    assert.equal(rt.heavy.load().threads, 2);
  });

  test('the client logged in and saw the guild and its channel', () => {
    assert.equal(bot.client.user?.id, IDS.bot);
    assert.equal(bot.client.guilds.cache.get(IDS.guild)?.channels.cache.has(IDS.channel), true);
  });

  test('/health by an admin is deferred before any work and answered with an embed', async () => {
    const id = discord.sendCommand('health', { userId: IDS.admin, roles: [IDS.adminRole] });
    const callback = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    // Discord's 3-second rule is met by construction: the acknowledgement is the first thing sent for the interaction.
    assert.equal(discord.requests.find((r) => r.path.includes(`/interactions/${id}/`) || r.path.includes(`tok-${id}`)), callback, 'the deferral comes first');
    assert.equal((callback.json as { type: number }).type, 5, 'deferred (DeferredChannelMessageWithSource)');
    assert.equal((callback.json as { data: { flags: number } }).data.flags & 64, 64, 'ephemeral');
    const edit = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path === `/webhooks/${IDS.app}/tok-${id}/messages/@original`);
    const embed = (edit.json as { embeds: Array<{ title: string; fields: Array<{ name: string; value: string }> }> }).embeds[0]!;
    assert.match(embed.title, /^Health/);
    assert.match(embed.fields.find((f) => f.name === 'Database')!.value, /ping \d/);
    assert.ok(embed.fields.some((f) => f.name === 'Last runs' && f.value.includes('fetch-market-data')));
    assert.match(embed.fields.find((f) => f.name === 'Discord')!.value, /^connected/);
    assert.match(embed.fields.find((f) => f.name === 'Market data')!.value, /^demo \(primary\): offline demo data; \d+ request\(s\) today/);
  });

  test('/health by a non-admin is denied ephemerally and audited', async () => {
    const id = discord.sendCommand('health', { userId: IDS.member, roles: [] });
    const callback = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    const body = callback.json as { type: number; data: { content: string; flags: number } };
    assert.equal(body.type, 4);
    assert.equal(body.data.flags & 64, 64);
    assert.match(body.data.content, /for admins/);
    const deadline = Date.now() + 60_000; // an outer limit that only catches a hang: the loop ends at the event
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
    // The back-off has passed (the row and its queue entry both carry the next attempt's time).
    await Outbox.updateOne({ idempotencyKey: 'e2e-post-1' }, { $set: { nextAttemptAt: new Date(0) } });
    await OutboxQueue.updateOne({ _id: 'e2e-post-1' }, { $set: { nextAttemptAt: new Date(0) } });
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

  // Waits for the event itself; the limit only catches a hang (never a pass/fail on speed).
  const waitFor = async <T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> => {
    const end = Date.now() + ms;
    let v = await read();
    while (!ok(v) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      v = await read();
    }
    return v;
  };
  const opt = (name: string, value: string | number) => ({ name, type: typeof value === 'number' ? 4 : 3, value });

  test('/portfolio is deferred first, then answered with an embed', async () => {
    const id = discord.sendCommand('portfolio', { subcommand: 'show' });
    const callback = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    assert.equal(discord.requests.find((r) => r.path.includes(`/interactions/${id}/`) || r.path.includes(`tok-${id}`)), callback, 'the deferral comes first');
    const edit = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`tok-${id}/messages/@original`));
    const embed = (edit.json as { embeds: Array<{ title: string; fields: Array<{ name: string }> }> }).embeds[0]!;
    assert.match(embed.title, /^Portfolio main/);
    assert.ok(embed.fields.some((f) => f.name === 'Equity'));
  });

  test('a non-admin /config set is denied, audited, and creates no version', async () => {
    const before = await TradingConfig.countDocuments();
    const id = discord.sendCommand('config', { userId: IDS.member, subcommand: 'set', options: [opt('key', 'daily_capital'), opt('value', '5000')] });
    const callback = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    assert.match((callback.json as { data: { content: string } }).data.content, /for admins/);
    const entry = await waitFor(() => AuditEntry.findOne({ actorId: IDS.member, action: '/config set' }).lean(), (e) => e !== null);
    assert.equal(entry?.result, 'denied');
    assert.equal(await TradingConfig.countDocuments(), before);
  });

  test('an admin /config set needs the Confirm button, then creates exactly one version', async () => {
    const id = discord.sendCommand('config', { userId: IDS.admin, roles: [IDS.adminRole], subcommand: 'set', options: [opt('key', 'daily_capital'), opt('value', '2500')] });
    const ask = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    const askBody = ask.json as { type: number; data: { components: Array<{ components: Array<{ custom_id: string }> }>; embeds: Array<{ description: string }> } };
    assert.equal(askBody.type, 4);
    assert.deepEqual(askBody.data.components[0]!.components.map((c) => c.custom_id), [`confirm:${id}`, `cancel:${id}`]);
    assert.match(askBody.data.embeds[0]!.description, /daily_capital\s+1000 → 2500/);
    const versionsBefore = await TradingConfig.countDocuments({ portfolio: 'main' });
    // Someone else presses Confirm: refused, nothing changes.
    const intruder = discord.pressButton(`confirm:${id}`, { userId: IDS.member });
    const refused = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${intruder}/`));
    assert.match((refused.json as { data: { content: string } }).data.content, /Only the person who ran the command/);
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'main' }), versionsBefore);
    const press = discord.pressButton(`confirm:${id}`, { userId: IDS.admin, roles: [IDS.adminRole] });
    const update = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${press}/`));
    assert.equal((update.json as { type: number }).type, 7, 'the confirmation message is updated');
    const done = await discord.waitForRequest((r) => r.method === 'POST' && r.path === `/webhooks/${IDS.app}/tok-${press}`);
    assert.match((done.json as { embeds: Array<{ title: string }> }).embeds[0]!.title, /v\d+ is active/);
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'main' }), versionsBefore + 1, 'exactly one new version');
    const active = await TradingConfig.findOne({ portfolio: 'main', endDate: null }).lean();
    assert.equal((active?.params as { daily_capital: number }).daily_capital, 2500);
    assert.equal(active?.createdBy, 'discord:alice');
  });

  test('Cancel changes nothing and is audited; a bad value is refused before any confirmation', async () => {
    const versions = await TradingConfig.countDocuments({ portfolio: 'main' });
    const id = discord.sendCommand('config', { userId: IDS.admin, roles: [IDS.adminRole], subcommand: 'set', options: [opt('key', 'sell_percentage'), opt('value', '0.5')] });
    await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    const press = discord.pressButton(`cancel:${id}`, { userId: IDS.admin, roles: [IDS.adminRole] });
    await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${press}/`));
    const entry = await waitFor(() => AuditEntry.findOne({ action: 'config.set', result: 'cancelled' }).lean(), (e) => e !== null);
    assert.equal(entry?.actorId, IDS.admin);
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'main' }), versions);
    const bad = discord.sendCommand('config', { userId: IDS.admin, roles: [IDS.adminRole], subcommand: 'set', options: [opt('key', 'sell_percentage'), opt('value', '1.5')] });
    const refusal = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${bad}/`));
    const body = refusal.json as { type: number; data: { content: string; flags: number; components?: unknown[] } };
    assert.equal(body.type, 4);
    assert.equal(body.data.flags & 64, 64);
    assert.match(body.data.content, /sell_percentage must be between 0 and 1/);
    assert.equal(body.data.components, undefined, 'no confirmation was offered');
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'main' }), versions);
  });

  test('a prompt outlives the bot: asked, bot restarted, Confirm acts once; a second press is told it was answered', async () => {
    const versions = await TradingConfig.countDocuments({ portfolio: 'main' });
    const id = discord.sendCommand('config', { userId: IDS.admin, roles: [IDS.adminRole], subcommand: 'set', options: [opt('key', 'daily_capital'), opt('value', '3100')] });
    await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    await bot.stop();
    bot = await startBot(rt);
    const press = discord.pressButton(`confirm:${id}`, { userId: IDS.admin, roles: [IDS.adminRole] });
    const update = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${press}/`));
    assert.equal((update.json as { type: number }).type, 7);
    const done = await discord.waitForRequest((r) => r.method === 'POST' && r.path === `/webhooks/${IDS.app}/tok-${press}`);
    assert.match((done.json as { embeds: Array<{ title: string }> }).embeds[0]!.title, /v\d+ is active/);
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'main' }), versions + 1);
    const again = discord.pressButton(`confirm:${id}`, { userId: IDS.admin, roles: [IDS.adminRole] });
    const told = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${again}/`));
    assert.match((told.json as { data: { content: string } }).data.content, /already answered \(confirmed\)/);
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'main' }), versions + 1, 'still exactly one new version');
  });

  test('an expired prompt says so and changes nothing; a pager from before a restart answers instead of failing', async () => {
    const versions = await TradingConfig.countDocuments({ portfolio: 'main' });
    const id = discord.sendCommand('pause', { userId: IDS.admin, roles: [IDS.adminRole], options: [opt('reason', 'probe')] });
    await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    await Confirmation.updateOne({ _id: id }, { $set: { expiresAt: new Date(Date.now() - 1_000) } }); // the 60 s have passed
    const press = discord.pressButton(`confirm:${id}`, { userId: IDS.admin, roles: [IDS.adminRole] });
    const update = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${press}/`));
    const body = update.json as { type: number; data: { content: string; components: unknown[] } };
    assert.equal(body.type, 7);
    assert.match(body.data.content, /expired .*nothing changed/);
    assert.deepEqual(body.data.components, []);
    assert.equal((await TradingState.findOne({ portfolio: 'main' }).lean())?.paused ?? false, false, 'trading not paused');
    const entry = await waitFor(() => AuditEntry.findOne({ action: 'trading.pause', result: 'cancelled' }).lean(), (e) => e !== null);
    assert.match(entry?.reason ?? '', /expired/);
    const stale = discord.pressButton('page:123456789:next', { userId: IDS.member });
    const answer = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${stale}/`));
    const a = answer.json as { type: number; data: { content: string; flags: number } };
    assert.equal(a.data.flags & 64, 64);
    assert.match(a.data.content, /no longer active/);
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'main' }), versions);
  });

  test('/chart sends a multipart reply whose PNG file is the embed image', async () => {
    await fetchMarketData({ date: '2020-03-16', symbols: ['SPX'], provider: new DemoProvider(), backfillDays: 200 });
    const id = discord.sendCommand('chart', { options: [opt('symbol', 'SPX'), opt('range', '3m'), opt('date', '2020-03-16'), opt('indicators', 'sma20,bb')] });
    const edit = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`tok-${id}/messages/@original`), 10_000);
    assert.match(edit.contentType, /^multipart\/form-data/);
    assert.equal(edit.files.length, 1);
    const file = edit.files[0]!;
    assert.equal(file.data.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG');
    assert.ok(file.data.length > 5_000);
    const embed = (edit.json as { embeds: Array<{ title: string; image: { url: string } }> }).embeds[0]!;
    assert.equal(embed.image.url, `attachment://${file.filename}`);
    assert.match(embed.title, /^SPX · 2019-12-1\d → 2020-03-16/);
  });

  test('/ideas stats answers with the record and its PNG; /ideas list shows a day\'s ideas with their outcomes', async () => {
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const idea = (symbol: string, result: number) => ({
      id: `${day}|mid-morning-signals|${symbol}`, date: day, slot: 'mid-morning-signals', at: '11:00', symbol, side: 'long', entry: 100, stop: 96, horizon: 1, criterion: 'volume-surge', criterionVersion: 1, configVersion: 1, why: 'test', facts: { close: 99, atr: 2, rsi: 50, squeeze: 0.5 },
      outcome: { state: 'closed', fill: 100, exit: null, r1: result, r5: null, r20: null, spx1: 0.001, spx5: null, spx20: null, result, excess: result - 0.001, final: false, scoredThrough: day },
    });
    const ideas = [idea('AAPL', 0.02), idea('MSFT', -0.01)];
    await IdeaMonth.create({ _id: day.slice(0, 7), ideasJson: JSON.stringify(ideas), scoredThrough: day, at: new Date() });
    await IdeaSlot.create({ _id: `${day}|mid-morning-signals`, date: day, job: 'mid-morning-signals', at: '11:00', basis: { kind: 'day-so-far', text: 'test' }, configVersion: 1, considered: 529, ideasJson: JSON.stringify(ideas.map(({ outcome: _o, ...i }) => i)), createdAt: new Date() });
    const id = discord.sendCommand('ideas', { subcommand: 'stats', options: [opt('criterion', 'volume-surge')] });
    const edit = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`tok-${id}/messages/@original`), 10_000);
    assert.equal(edit.files.length, 1);
    assert.equal(edit.files[0]!.data.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG');
    const embed = (edit.json as { embeds: Array<{ description: string }> }).embeds[0]!;
    assert.match(embed.description, /volume-surge: 2 ideas · 2 triggered · hit 50% of 2 · avg \+0\.50%/);
    assert.match(embed.description, /\$1,000 each: \+\$10\.00/);
    const list = discord.sendCommand('ideas', { subcommand: 'list', options: [opt('date', day)] });
    const shown = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`tok-${list}/messages/@original`), 10_000);
    const field = (shown.json as { embeds: Array<{ fields: Array<{ name: string; value: string }> }> }).embeds[0]!.fields[0]!;
    assert.match(field.name, /11:00 mid-morning-signals — 2 idea\(s\)/);
    assert.match(field.value, /AAPL .* held the day: \+2\.0% \(SPX \+0\.1%, \+1\.9% vs SPX\)/);
  });

  test('/chart without a date ends at the latest stored bar; a symbol without bars is refused before "thinking…"', async () => {
    const id = discord.sendCommand('chart', { options: [opt('symbol', 'SPX'), opt('range', '1m')] });
    const edit = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`tok-${id}/messages/@original`), 10_000);
    assert.match((edit.json as { embeds: Array<{ title: string }> }).embeds[0]!.title, /→ 2020-03-16/);
    const nope = discord.sendCommand('chart', { options: [opt('symbol', 'NOPE')] });
    const r = await discord.waitForRequest((x) => x.path.startsWith(`/interactions/${nope}/`));
    const body = r.json as { type: number; data: { content: string; flags: number } };
    assert.equal(body.type, 4, 'answered at once, not deferred');
    assert.equal(body.data.flags & 64, 64);
    assert.match(body.data.content, /No bars for NOPE: charts cover/);
  });

  test('/backtest refuses a bad window in Discord words before deferring', async () => {
    const id = discord.sendCommand('backtest', { options: [opt('from', '2020-03-01'), opt('to', '2020-01-01')] });
    const r = await discord.waitForRequest((x) => x.path.startsWith(`/interactions/${id}/`));
    const body = r.json as { type: number; data: { content: string; flags: number } };
    assert.equal(body.type, 4);
    assert.equal(body.data.flags & 64, 64);
    assert.equal(body.data.content, '`from` 2020-03-01 must be before `to` 2020-01-01.');
    const sym = discord.sendCommand('backtest', { options: [opt('from', '2020-01-02'), opt('to', '2020-03-01'), opt('symbols', 'SPX,ZZZZ')] });
    const r2 = await discord.waitForRequest((x) => x.path.startsWith(`/interactions/${sym}/`));
    assert.match((r2.json as { data: { content: string } }).data.content, /^`symbols`: not covered: "ZZZZ"\./);
  });

  test('/portfolio create: refused for members and for bad names, created once by a confirming admin', async () => {
    const denied = discord.sendCommand('portfolio', { userId: IDS.member, subcommand: 'create', options: [opt('name', 'swing-2')] });
    const d = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${denied}/`));
    assert.match((d.json as { data: { content: string } }).data.content, /for admins/);
    const bad = discord.sendCommand('portfolio', { userId: IDS.admin, roles: [IDS.adminRole], subcommand: 'create', options: [opt('name', 'Ghost Portfolio')] });
    const b = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${bad}/`));
    assert.match((b.json as { data: { content: string } }).data.content, /not a usable portfolio name: use 1 to 32 lower-case letters/);
    const id = discord.sendCommand('portfolio', { userId: IDS.admin, roles: [IDS.adminRole], subcommand: 'create', options: [opt('name', 'swing-2')] });
    await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'swing-2' }), 0, 'nothing before Confirm');
    const press = discord.pressButton(`confirm:${id}`, { userId: IDS.admin, roles: [IDS.adminRole] });
    const done = await discord.waitForRequest((r) => r.method === 'POST' && r.path === `/webhooks/${IDS.app}/tok-${press}`);
    assert.match((done.json as { embeds: Array<{ title: string }> }).embeds[0]!.title, /Portfolio swing-2 created/);
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'swing-2' }), 1);
    const entry = await waitFor(() => AuditEntry.findOne({ action: 'portfolio.create', target: 'swing-2 v1' }).lean(), (e) => e !== null);
    assert.equal(entry?.actorId, IDS.admin);
  });

  test('/rerun and /backtest do their work on a heavy-work thread and answer through the gateway process', async () => {
    const id = discord.sendCommand('rerun', { userId: IDS.admin, roles: [IDS.adminRole], options: [opt('job', 'fetch-market-data'), opt('date', '2020-03-17')] });
    await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
    const press = discord.pressButton(`confirm:${id}`, { userId: IDS.admin, roles: [IDS.adminRole] });
    const done = await discord.waitForRequest((r) => r.method === 'POST' && r.path === `/webhooks/${IDS.app}/tok-${press}`, 20_000);
    assert.match((done.json as { embeds: Array<{ title: string }> }).embeds[0]!.title, /^fetch-market-data · 2020-03-17: succeeded/);
    const bt = discord.sendCommand('backtest', { options: [opt('from', '2020-01-02'), opt('to', '2020-03-13'), opt('symbols', 'SPX')] });
    const progress = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`tok-${bt}/messages/@original`) && /Backtest .*…/.test(String((r.json as { content?: string }).content)), 20_000);
    assert.match(String((progress.json as { content?: string }).content), /Backtest .*…/, 'a progress edit came before the result');
    const final = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`tok-${bt}/messages/@original`) && r.files.length === 1, 30_000);
    assert.match((final.json as { embeds: Array<{ title: string }> }).embeds[0]!.title, /Backtest/);
    assert.equal(final.files[0]!.data.subarray(0, 4).toString('hex'), '89504e47');
    // Where they ran: on the pool's threads, never on the gateway's main thread (id 0).
    const ran = rt.heavy.recent().filter((t) => t.ok && (t.kind === 'job' || t.kind === 'backtest'));
    assert.ok(ran.some((t) => t.kind === 'job') && ran.some((t) => t.kind === 'backtest'), `both finished on threads: ${JSON.stringify(ran)}`);
    assert.ok(ran.every((t) => t.threadId !== 0 && rt.heavy.threadIds().includes(t.threadId)), `thread ids ${JSON.stringify(ran)} of ${JSON.stringify(rt.heavy.threadIds())}`);
  });

  test('/why explains the stored signal with a chart of its terms; a closed day says the market was closed', async () => {
    const gen = await runJob(requireJob(rt.jobs, 'generate-signal'), rt.env, { date: '2020-03-16', trigger: 'cli' });
    assert.equal(gen.status, 'succeeded', gen.error ?? '');
    const stored = await Signal.findOne({ portfolio: 'main', tradeDate: '2020-03-16' }).lean();
    const id = discord.sendCommand('why', { userId: IDS.member, options: [opt('date', '2020-03-16')] });
    const edit = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`tok-${id}/messages/@original`), 20_000);
    const embed = (edit.json as { embeds: Array<{ title: string; description: string; image?: { url: string } }> }).embeds[0]!;
    assert.equal(embed.title.startsWith(`Why ${stored!.action} · main · 2020-03-16`), true, embed.title);
    assert.match(embed.description, new RegExp(`(^|\n)${stored!.action} on 2020-03-16, decided by config v${stored!.configVersion} from closes through 2020-03-13`));
    assert.match(embed.description, /regime score was [+-]\d\.\d{3} \(momentum × 0\.5/);
    assert.equal(edit.files.length, 1);
    assert.equal(embed.image?.url, `attachment://${edit.files[0]!.filename}`);
    const closed = discord.sendCommand('why', { userId: IDS.member, options: [opt('date', '2020-03-14')] });
    const follow = await discord.waitForRequest((r) => r.method === 'POST' && r.path === `/webhooks/${IDS.app}/tok-${closed}`, 10_000);
    assert.match((follow.json as { content: string }).content, /No signal for "main" on 2020-03-14: the market is closed \(weekend\)/);
  });

  test('/config simulate: a member sees the table without buttons; the admin who asked activates it (others cannot), figures in the notes', async () => {
    await setConfig('main', ['assets=SPX'], { id: 'test', name: 'test', source: 'cli' });
    const member = discord.sendCommand('config', { userId: IDS.member, subcommand: 'simulate', options: [opt('key', 'daily_capital'), opt('value', '2000'), opt('months', 2)] });
    const shown = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`tok-${member}/messages/@original`) && r.files.length === 1, 20_000);
    const body = shown.json as { embeds: Array<{ title: string; description: string }>; components?: unknown[] };
    assert.match(body.embeds[0]!.title, /^Simulation · main · /);
    assert.match(body.embeds[0]!.description, /Time-weighted return .*\n.*CAGR/s);
    assert.equal((body.components ?? []).length, 0, 'no Activate button for a member');
    const progress = discord.requests.filter((r) => r.method === 'PATCH' && r.path.includes(`tok-${member}/messages/@original`) && r.files.length === 0).map((r) => (r.json as { content?: string }).content);
    assert.ok(progress.some((c) => /^Simulating daily_capital=2000: backtesting active v\d+…$/.test(String(c))), `progress edits: ${progress.join(' | ')}`);
    const versions = await TradingConfig.countDocuments({ portfolio: 'main' });
    const id = discord.sendCommand('config', { userId: IDS.admin, roles: [IDS.adminRole], subcommand: 'simulate', options: [opt('key', 'daily_capital'), opt('value', '2000'), opt('months', 2)] });
    const ask = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`tok-${id}/messages/@original`) && ((r.json as { components?: unknown[] }).components ?? []).length > 0, 20_000);
    const buttons = (ask.json as { components: Array<{ components: Array<{ label: string; custom_id: string }> }> }).components[0]!.components;
    assert.deepEqual(buttons.map((b) => b.label), ['Activate this version', 'Discard']);
    const intruder = discord.pressButton(`confirm:${id}`, { userId: IDS.member });
    const refused = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${intruder}/`));
    assert.match((refused.json as { data: { content: string } }).data.content, /Only the person who ran the command/);
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'main' }), versions);
    const press = discord.pressButton(`confirm:${id}`, { userId: IDS.admin, roles: [IDS.adminRole] });
    const done = await discord.waitForRequest((r) => r.method === 'POST' && r.path === `/webhooks/${IDS.app}/tok-${press}`, 10_000);
    assert.match((done.json as { embeds: Array<{ title: string }> }).embeds[0]!.title, /v\d+ is active/);
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'main' }), versions + 1);
    const active = await TradingConfig.findOne({ portfolio: 'main', endDate: null }).lean();
    assert.equal((active?.params as { daily_capital: number }).daily_capital, 2000);
    assert.match(String(active?.notes), /simulated \d{4}-\d\d-\d\d → \d{4}-\d\d-\d\d: active v\d+ TWR/);
    const audit = await waitFor(() => AuditEntry.findOne({ action: 'config.set', actorId: IDS.admin, result: 'ok' }).sort({ at: -1 }).lean(), (e) => e !== null);
    assert.match(String(audit?.reason), /simulated/);
  });

  test('/watch: bad rules refused with what is allowed; a day’s triggers go out as one DM per member, once; closed DMs are recorded, not retried', async () => {
    const num = (name: string, value: number) => ({ name, type: 10, value });
    const bad = discord.sendCommand('watch', { userId: IDS.member, subcommand: 'add', options: [opt('symbol', 'SPX'), opt('rule', 'rsi-below'), num('value', 150)] });
    const b = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${bad}/`));
    assert.match((b.json as { data: { content: string } }).data.content, /rsi-below: 150 is out of range; use 1 to 99/);
    const nope = discord.sendCommand('watch', { userId: IDS.member, subcommand: 'add', options: [opt('symbol', 'NOPE'), opt('rule', 'move-over'), num('value', 5)] });
    const n = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${nope}/`));
    assert.match((n.json as { data: { content: string } }).data.content, /NOPE is not covered: watchlists take the \d+ universe symbols/);
    for (const [user, value] of [[IDS.member, 5], [IDS.member, 40], [IDS.admin, 1]] as const) {
      const id = discord.sendCommand('watch', { userId: user, subcommand: 'add', options: [opt('symbol', 'SPX'), opt('rule', 'move-over'), num('value', value)] });
      const ok = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`));
      assert.match((ok.json as { data: { embeds: Array<{ title: string }> } }).data.embeds[0]!.title, /^Watching SPX: daily move over/);
    }
    const list = discord.sendCommand('watch', { userId: IDS.member, subcommand: 'list' });
    const l = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${list}/`));
    const listed = (l.json as { data: { flags: number; embeds: Array<{ title: string; description: string }> } }).data;
    assert.equal(listed.flags & 64, 64, 'private');
    assert.match(listed.embeds[0]!.title, /Your watchlist \(2\)/);
    // The admin's DMs are closed: Discord answers 50007 to the message.
    const adminDm = () => [...discord.dmChannels].find(([, u]) => u === IDS.admin)?.[0];
    discord.respond = (r) => (r.method === 'POST' && r.path === `/channels/${adminDm()}/messages` ? { status: 403, payload: { message: 'Cannot send messages to this user', code: 50007 } } : undefined);
    try {
      const first = await evaluateWatchlists('2020-03-16');
      assert.deepEqual({ fired: first.fired, members: first.members, queued: first.queued }, { fired: 2, members: 2, queued: 2 }, 'SPX fell 12 %: the 5 % and 1 % rules fire, the 40 % one does not');
      await deliverPending(rt.env);
      const memberDm = [...discord.dmChannels].find(([, u]) => u === IDS.member)![0];
      const sent = discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${memberDm}/messages` && r.status === 200);
      assert.equal(sent.length, 1);
      const embed = (sent[0]!.json as { embeds: Array<{ title: string; description: string }> }).embeds[0]!;
      assert.equal(embed.title, 'Your watchlist · 2020-03-16 · the close');
      assert.match(embed.description, /#1 SPX: daily move over 5% \(move -1\d\.\d\d%\)/);
      const dead = await Outbox.findOne({ idempotencyKey: `watch:${IDS.admin}:2020-03-16` }).lean();
      assert.equal(dead?.status, 'dead');
      assert.match(String(dead?.lastError), /does not accept direct messages \(Discord error 50007\)/);
      const again = await evaluateWatchlists('2020-03-16');
      assert.equal(again.queued, 0, 'a re-run queues nothing');
      await Outbox.updateMany({}, { $set: { nextAttemptAt: new Date(0) } });
      await deliverPending(rt.env);
      assert.equal(discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${memberDm}/messages`).length, 1, 'still one DM');
      assert.equal(discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${adminDm()}/messages`).length, 1, 'the closed DM was tried once');
    } finally {
      discord.respond = undefined;
    }
  });

  test('a bad /chart option is refused privately with what is allowed', async () => {
    const id = discord.sendCommand('chart', { options: [opt('symbol', 'SPX'), opt('indicators', 'sma20,macd9')] });
    const r = await discord.waitForRequest((x) => x.path.startsWith(`/interactions/${id}/`));
    const body = r.json as { type: number; data: { content: string; flags: number } };
    assert.equal(body.data.flags & 64, 64);
    assert.match(body.data.content, /unknown indicator\(s\) macd9; allowed: sma20, sma50, sma200, ema20, bb/);
  });

  test('/trades pages long lists with buttons only the invoker may press', async () => {
    const signalId = new mongoose.Types.ObjectId();
    await Trade.insertMany(Array.from({ length: 45 }, (_, k) => ({
      portfolio: 'main', signalId, tradeDate: `2024-02-${String(1 + (k % 28)).padStart(2, '0')}`, symbol: `S${k}`, action: 'BUY', quantity: 1, price: 10 + k, amount: 10 + k, createdAt: new Date(),
    })));
    const id = discord.sendCommand('trades', { userId: IDS.member });
    const first = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`tok-${id}/messages/@original`));
    const body = first.json as { embeds: Array<{ title: string }>; components: Array<{ components: Array<{ custom_id: string; disabled?: boolean }> }> };
    assert.match(body.embeds[0]!.title, /Trades · main \(45\) · page 1\/3/);
    const [prev, next] = body.components[0]!.components;
    assert.equal(prev!.disabled, true);
    assert.equal(next!.custom_id, `page:${id}:next`);
    const other = discord.pressButton(`page:${id}:next`, { userId: IDS.admin });
    const refused = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${other}/`));
    assert.match((refused.json as { data: { content: string } }).data.content, /Only the person who ran the command/);
    const press = discord.pressButton(`page:${id}:next`, { userId: IDS.member });
    const update = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${press}/`));
    const updated = update.json as { type: number; data: { embeds: Array<{ title: string }> } };
    assert.equal(updated.type, 7);
    assert.match(updated.data.embeds[0]!.title, /page 2\/3/);
  });
});
