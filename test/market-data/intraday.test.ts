import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Types } from 'mongoose';
import { runNamedScan } from '../../src/analysis/scan-service.js';
import { evaluateWatchIntraday } from '../../src/analysis/watch-day.js';
import { addWatch, evaluateWatchlists } from '../../src/analysis/watch-service.js';
import { CapitalInjection } from '../../src/db/models/capital-injection.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { Trade } from '../../src/db/models/trade.js';
import { upsertBars } from '../../src/market-data/bar-store.js';
import { demoBars } from '../../src/market-data/demo-market.js';
import { DemoProvider } from '../../src/market-data/demo-provider.js';
import type { MarketDataProvider } from '../../src/market-data/provider.js';
import { AlpacaProvider } from '../../src/market-data/providers/alpaca.js';
import { PolygonProvider } from '../../src/market-data/providers/polygon.js';
import { slotInstant, snapshotFor, type StoredSnapshot } from '../../src/market-data/snapshot-store.js';
import { takeLease } from '../../src/db/lease.js';
import { snapshotId } from '../../src/db/models/intraday.js';
import type { SnapshotBatch } from '../../src/market-data/snapshot.js';
import { decide, setQuietHours, loadPolicy } from '../../src/notify/alert-policy.js';
import { deliverDue } from '../../src/notify/outbox.js';
import type { Delivery, Sink } from '../../src/notify/sinks/sink.js';
import { checkPositionAlerts } from '../../src/trading/position-alerts.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';
import { manualClock } from '../helpers/replay-server.js';
import { useReplayServer } from '../helpers/use-replay-server.js';

useTestDatabase('intraday');

/** The demo provider, counting its snapshot calls (the network edge of a real provider). */
class CountingDemo extends DemoProvider {
  snapshotCalls = 0;
  override async getSnapshot(symbols: string[], at: Date): Promise<SnapshotBatch> {
    this.snapshotCalls++;
    return super.getSnapshot(symbols, at);
  }
}

const SLOTS = ['09:45', '10:00', '10:15', '10:30', '10:45', '11:00', '11:15', '11:30', '11:45', '12:00', '12:15', '12:30', '12:45', '13:00', '13:15', '13:30', '13:45', '14:00', '14:15', '14:30', '14:45', '15:00', '15:15', '15:30', '15:45', '16:00'];
const DAY = '2020-03-16';

async function storeDemoBars(symbols: string[], from: string, to: string): Promise<void> {
  await upsertBars(symbols.flatMap((s) => demoBars(s, from, to).map((b) => ({ symbol: s, ...b }))), 'demo');
}

async function snap(provider: MarketDataProvider, slot: string, symbols: string[], date = DAY): Promise<StoredSnapshot> {
  const r = await snapshotFor({ date, slot, symbols, provider });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.snapshot;
}

describe('the demo day, minute by minute', () => {
  test('its last snapshot is the daily bar; highs only rise, lows only fall, volume accrues, the last price stays inside', async () => {
    const p = new DemoProvider();
    for (const [date, close] of [[DAY, '16:00'], ['2019-11-29', '13:00']] as const) {
      const bar = demoBars('AAPL', date, date)[0]!;
      const end = (await p.getSnapshot(['AAPL'], slotInstant(date, close))).rows[0]!;
      assert.deepEqual([end.open, end.high, end.low, end.last, end.volume], [bar.open, bar.high, bar.low, bar.close, bar.volume], `${date} at ${close}`);
      let prev = { high: -Infinity, low: Infinity, volume: -1 };
      for (const slot of SLOTS.filter((s) => s <= close)) {
        const s = (await p.getSnapshot(['AAPL'], slotInstant(date, slot))).rows[0]!;
        assert.ok(s.high >= prev.high && s.low <= prev.low && s.volume >= prev.volume, `${date} ${slot}`);
        assert.ok(s.last <= s.high && s.last >= s.low && s.open === bar.open);
        assert.ok(s.high <= bar.high && s.low >= bar.low);
        prev = s;
      }
    }
    const morning = (await p.getSnapshot(['AAPL'], slotInstant(DAY, '09:45'))).rows[0]!;
    assert.ok(morning.volume < demoBars('AAPL', DAY, DAY)[0]!.volume * 0.3, 'a quarter hour is a small part of the day');
  });
});

describe('snapshots per slot', () => {
  beforeEach(clearCollections);

  test('none outside the session or on a holiday, and no call is made for them', async () => {
    const p = new CountingDemo();
    const closed = await snapshotFor({ date: '2020-12-25', slot: '13:00', symbols: ['SPY'], provider: p });
    assert.equal(closed.ok ? 'ok' : closed.code, 'closed');
    for (const slot of ['09:30', '09:00', '16:15']) {
      const r = await snapshotFor({ date: DAY, slot, symbols: ['SPY'], provider: p });
      assert.equal(r.ok ? 'ok' : r.code, 'outside-session', slot);
    }
    const early = await snapshotFor({ date: '2019-11-29', slot: '13:15', symbols: ['SPY'], provider: p });
    assert.equal(early.ok ? 'ok' : early.code, 'outside-session', 'an early close ends at 13:00');
    assert.equal(p.snapshotCalls, 0);
  });

  test('one provider call per slot, whoever asks and however often; a provider without snapshots, or a live one asked about the past, says why', async () => {
    const p = new CountingDemo();
    const [a, b] = await Promise.all([snap(p, '13:00', ['SPY', 'QQQ']), snap(p, '13:00', ['SPY', 'QQQ'])]);
    await snap(p, '13:00', ['SPY', 'QQQ']);
    assert.equal(p.snapshotCalls, 1);
    assert.deepEqual(a.rows.get('SPY'), b.rows.get('SPY'));
    await snap(p, '13:15', ['SPY']);
    assert.equal(p.snapshotCalls, 2);
    const noSnapshots: MarketDataProvider = { id: 'alphavantage', getDailyBars: async () => [] };
    const r = await snapshotFor({ date: DAY, slot: '14:00', symbols: ['SPY'], provider: noSnapshots });
    assert.equal(r.ok ? 'ok' : r.code, 'unsupported');
    const live: MarketDataProvider = { id: 'polygon', getDailyBars: async () => [], getSnapshot: async () => assert.fail('not asked') };
    const past = await snapshotFor({ date: DAY, slot: '14:00', symbols: ['SPY'], provider: live, now: new Date('2026-12-02T15:00:00Z') });
    assert.equal(past.ok ? 'ok' : past.code, 'past');
  });
});

describe('a snapshot whose taker fails', () => {
  beforeEach(clearCollections);

  test('the failing worker releases the slot and a waiting one takes it over at once, instead of every waiter failing after 30 s', async () => {
    /** The provider's edge answers 503 to the first call (slowly, so the second caller is already waiting). */
    class FailsOnce extends DemoProvider {
      snapshotCalls = 0;
      override async getSnapshot(symbols: string[], at: Date): Promise<SnapshotBatch> {
        if (this.snapshotCalls++ === 0) {
          await new Promise((r) => setTimeout(r, 400));
          throw new Error('polygon snapshot: HTTP 503: Service Unavailable');
        }
        return super.getSnapshot(symbols, at);
      }
    }
    const p = new FailsOnce();
    const [first, second] = await Promise.allSettled([
      snapshotFor({ date: DAY, slot: '11:00', symbols: ['SPY', 'AAPL'], provider: p }),
      new Promise((r) => setTimeout(r, 100)).then(() => snapshotFor({ date: DAY, slot: '11:00', symbols: ['SPY', 'AAPL'], provider: p, waitMs: 10_000 })),
    ]);
    assert.equal(first.status, 'rejected');
    assert.match(String((first as PromiseRejectedResult).reason), /503/);
    assert.equal(second.status, 'fulfilled');
    const r = (second as PromiseFulfilledResult<Awaited<ReturnType<typeof snapshotFor>>>).value;
    assert.ok(r.ok && r.taken, 'the waiter took the snapshot itself');
    // Without the release the waiter would sit behind the failed holder's 60 s lease and give up after its 10 s.
    assert.equal(p.snapshotCalls, 2, 'the failed call, then the waiter\'s');
    // And the slot is stored once: a third caller reads it without asking the provider.
    const third = await snapshotFor({ date: DAY, slot: '11:00', symbols: ['SPY', 'AAPL'], provider: p });
    assert.ok(third.ok && !third.taken);
    assert.equal(p.snapshotCalls, 2);
  });
});

describe('a snapshot whose taker was killed', () => {
  beforeEach(clearCollections);

  test("a waiter whose job clock is fixed at its slot judges the killed holder's lease on the real clock, sees it run out, and takes the slot over", async () => {
    // The killed worker's lease (never released): 1.5 s here, a minute in the product.
    const at = slotInstant(DAY, '11:00');
    assert.ok(await takeLease('snapshot', snapshotId(DAY, '11:00'), { fromGen: 1, ttlMs: 1_500 }));
    const p = new CountingDemo();
    const t0 = Date.now();
    // A recovered run: its `now` is the slot's instant and does not move while it waits.
    const r = await snapshotFor({ date: DAY, slot: '11:00', symbols: ['SPY', 'AAPL'], provider: p, now: at, waitMs: 10_000 });
    assert.ok(r.ok && r.taken, 'the waiter took the snapshot itself');
    assert.equal(p.snapshotCalls, 1);
    const waited = Date.now() - t0;
    assert.ok(waited >= 1_300, `it did not take a live lease: it waited for it to run out (${waited} ms)`);
  });
});

describe('daytime scans on the day so far', () => {
  before(clearCollections);
  const symbols = ['SPY', 'QQQ', 'DIA', 'AAPL', 'MSFT', 'XOM', 'JPM', 'NVDA', 'KO', 'NEE', 'AMZN', 'BA'];

  test('the 13:00 scan reads the 13:00 snapshot and differs from the 06:30 scan of a big-move day; without snapshots it says it used the previous close', async () => {
    const p = new CountingDemo();
    await storeDemoBars(symbols, '2018-10-01', '2020-03-13');
    const pre = await runNamedScan('pre-market-scan', DAY, { provider: p, symbols });
    const noon = await runNamedScan('afternoon-scan', DAY, { provider: p, symbols });
    assert.equal(pre.dataThrough, '2020-03-13');
    assert.equal(pre.basis, undefined);
    assert.match(noon.basis?.snapshot ?? '', /^as of 13:00 New York/);
    assert.equal(p.snapshotCalls, 1);
    const moves = noon.results.find((r) => r.criterion === 'day-move')!.hits;
    const spy = (await snap(p, '13:00', symbols)).rows.get('SPY')!;
    const spyHit = moves.find((h) => h.symbol === 'SPY')!;
    assert.ok(Math.abs(spyHit.value - (spy.last / spy.prevClose - 1)) < 1e-9, 'the move is the snapshot against the previous close');
    assert.ok(spyHit.value < -0.05, "2020-03-16: the day's fall is there by 13:00");
    // RSI with the day so far differs from RSI on Friday's close for the same names.
    const rsiOf = (s: typeof pre) => new Map(s.results.find((r) => r.criterion === 'rsi-extremes')!.hits.map((h) => [h.symbol, h.value]));
    assert.notDeepEqual(rsiOf(pre), rsiOf(noon));
    assert.match(noon.results.find((r) => r.criterion === 'rsi-extremes')!.title, /with the day so far/);
    const fallback = await runNamedScan('closing-scan', DAY, { provider: { id: 'alphavantage', getDailyBars: p.getDailyBars.bind(p) }, symbols });
    assert.match(fallback.basis?.fallback ?? '', /on the previous close: alphavantage serves no intraday snapshots/);
    assert.deepEqual(fallback.results.map((r) => r.criterion), ['momentum', 'bb-squeeze', 'new-highs']);
  });
});

describe('watch rules during the day', () => {
  before(clearCollections);

  test('a rule fires at the first snapshot that crosses, once; the next DM lists it as earlier today; a re-run and the close send nothing again', async () => {
    const p = new DemoProvider();
    await storeDemoBars(['SPY'], '2019-01-02', '2020-03-13');
    const path = await Promise.all(SLOTS.map(async (slot) => ({ slot, last: (await p.getSnapshot(['SPY'], slotInstant(DAY, slot))).rows[0]!.last })));
    // A level the price crosses during the day (not at 09:45): between the 09:45 price and the day's low.
    const level = Math.round(((path[0]!.last + Math.min(...path.map((x) => x.last))) / 2) * 100) / 100;
    const first = path.find((x) => x.last < level)!.slot;
    assert.ok(first > '09:45');
    await addWatch('111111111111111111', 'SPY', 'gap-down', 3);
    await addWatch('111111111111111111', 'SPY', 'price-below', level);
    await addWatch('111111111111111111', 'SPY', 'rsi-below', 99); // RSI waits for the close
    const dms = async () => (await Outbox.find({ idempotencyKey: /^watch:111111111111111111:/ }).lean()).map((o) => ({ key: o.idempotencyKey, text: (o.post as { description: string }).description }));
    const now = new Date('2020-03-16T20:00:00Z');
    for (const slot of SLOTS.slice(0, SLOTS.indexOf(first) + 1)) await evaluateWatchIntraday(await snap(p, slot, ['SPY']), now);
    const sent = await dms();
    assert.deepEqual(sent.map((d) => d.key), [`watch:111111111111111111:${DAY}:09:45`, `watch:111111111111111111:${DAY}:${first}`]);
    assert.match(sent[0]!.text, /#1 SPY: gap down over 3%/);
    assert.doesNotMatch(sent[0]!.text, /price crosses below/);
    assert.match(sent[1]!.text, new RegExp(`#2 SPY: price crosses below ${level}`));
    assert.match(sent[1]!.text, /Earlier today:\n09:45 #1 SPY: gap down/);
    const again = await evaluateWatchIntraday(await snap(p, first, ['SPY']), now);
    assert.equal(again.queued, 0);
    for (const slot of SLOTS.slice(SLOTS.indexOf(first) + 1, -1)) await evaluateWatchIntraday(await snap(p, slot, ['SPY']), now);
    assert.equal((await dms()).length, 2, 'nothing fires twice in a day');
    await storeDemoBars(['SPY'], DAY, DAY);
    await evaluateWatchlists(DAY, now);
    const all = await dms();
    assert.equal(all.length, 3, 'the close sends only what is new: the RSI rule');
    assert.match(all[2]!.text, /#3 SPY: RSI-14 below 99/);
    assert.match(all[2]!.text, /Earlier today:\n09:45 #1 SPY[^\n]*\n\d\d:\d\d #2 SPY: price crosses below/);
  });
});

describe('position alerts', () => {
  before(clearCollections);
  after(() => setQuietHours(null, { id: 't', name: 't', source: 'cli' }));

  test('once per position, threshold and day, at the first slot past it; delivered silently in quiet hours', async () => {
    const p = new DemoProvider();
    const price = demoBars('SPY', '2020-03-13', '2020-03-13')[0]!.close;
    await CapitalInjection.create({ portfolio: 'main', date: '2020-03-13', amount: 10_000, createdAt: new Date() });
    await Trade.create({ portfolio: 'main', signalId: new Types.ObjectId(), tradeDate: '2020-03-13', symbol: 'SPY', action: 'BUY', quantity: 30, price, amount: 30 * price, createdAt: new Date() });
    const now = new Date('2020-03-16T20:00:00Z');
    const first = await checkPositionAlerts(await snap(p, '10:15', ['SPY']), now, true);
    assert.equal(first.queued >= 1, true);
    const again = await checkPositionAlerts(await snap(p, '10:15', ['SPY']), now, true);
    assert.equal(again.queued, 0, 'a re-run of the slot sends nothing');
    for (const slot of SLOTS.slice(3, -1)) await checkPositionAlerts(await snap(p, slot, ['SPY']), now, true);
    const posts = await Outbox.find({ idempotencyKey: /^position:main:/ }).lean();
    const keys = posts.map((o) => o.idempotencyKey).sort();
    assert.ok(keys.includes(`position:main:SPY:day-drop:${DAY}`));
    // SPY fell below 90 % of its cost during the day: the stop alert, once.
    assert.ok(demoBars('SPY', DAY, DAY)[0]!.low <= price * 0.9);
    assert.ok(keys.includes(`position:main:SPY:stop:${DAY}`));
    assert.equal(new Set(keys).size, keys.length);
    assert.match((posts.find((o) => o.idempotencyKey.includes(':day-drop:'))!.post as { description: string }).description, /SPY −?-?\d+\.\d\d% on the day .*As of 10:15 New York/s);
    await setQuietHours({ start: '00:00', end: '23:59' }, { id: 't', name: 't', source: 'cli' });
    const policy = await loadPolicy(0);
    const got: Delivery[] = [];
    const sink: Sink = { name: 'rec', send: async (d) => (got.push(d), { sink: 'rec' }) };
    await deliverDue({ sinkFor: () => sink, decide: (post, at) => decide(policy, post, at) });
    const delivered = got.filter((d) => /Position down|Stop level/.test(d.post.title));
    assert.ok(delivered.length >= 2);
    assert.ok(delivered.every((d) => d.silent), 'quiet hours: delivered without a notification');
  });
});

describe('provider snapshots (replayed payloads)', () => {
  const server = useReplayServer();
  const opts = (clock = manualClock()) => ({
    baseUrl: server.url, timeoutMs: 2000, limits: { perMinute: 600, perDay: null }, clock, random: () => 0.5,
    retry: { attempts: 2, baseMs: 10, maxMs: 20, maxRetryAfterMs: 1000 }, breaker: { threshold: 3, coolDownMs: 60_000 },
  });

  test("Polygon's full-market snapshot: one request for the universe, rows read one by one, SPX from SPY, a blank row named", async () => {
    server.on('GET', '/v2/snapshot/locale/us/markets/stocks/tickers', { fixture: 'polygon-snapshot-tickers.json' });
    const p = new PolygonProvider({ ...opts(manualClock(Date.parse('2020-11-12T14:56:00Z'))), apiKey: 'PKEY1234567' });
    const b = await p.getSnapshot(['AAPL', 'SPY', 'SPX', 'MSFT', 'NVDA']);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.query.get('tickers'), 'AAPL,SPY,MSFT,NVDA');
    const aapl = b.rows.find((r) => r.symbol === 'AAPL')!;
    assert.deepEqual([aapl.date, aapl.open, aapl.last, aapl.prevClose, aapl.volume], ['2020-11-12', 119.62, 119.205, 119.49, 76215342]);
    assert.equal(aapl.lastTradeAt, 1605192894631);
    assert.equal(b.rows.find((r) => r.symbol === 'SPX')!.last, 354.3);
    assert.match(b.missing.get('MSFT') ?? '', /field "open"/);
    assert.match(b.missing.get('NVDA') ?? '', /not in the snapshot/);
    assert.equal(b.delayed, false);
    server.reset();
    server.on('GET', '/v2/snapshot/locale/us/markets/stocks/tickers', { fixture: 'polygon-snapshot-tickers.json' });
    const late = new PolygonProvider({ ...opts(manualClock(Date.parse('2020-11-12T15:30:00Z'))), apiKey: 'PKEY1234567' });
    assert.equal((await late.getSnapshot(['AAPL'])).delayed, true, 'the newest trade is 35 minutes old: a delayed plan');
  });

  test("Alpaca's snapshots: one request; a free plan's 403 on recent SIP switches to the delayed SIP, once, and says so", async () => {
    server.on('GET', '/v2/stocks/snapshots', { status: 403, fixture: 'alpaca-403-recent-sip.json' }, { fixture: 'alpaca-snapshots.json' });
    const p = new AlpacaProvider({ ...opts(), keyId: 'k', secretKey: 's', feed: 'sip' });
    const b = await p.getSnapshot(['AAPL', 'TSLA', 'SPX']);
    assert.deepEqual(server.requests.map((r) => r.query.get('feed')), ['sip', 'delayed_sip']);
    assert.equal(b.delayed, true);
    const aapl = b.rows.find((r) => r.symbol === 'AAPL')!;
    assert.deepEqual([aapl.date, aapl.open, aapl.high, aapl.low, aapl.last, aapl.prevClose], ['2022-08-17', 172.77, 176.15, 172.57, 172.61, 173.03]);
    assert.equal(b.rows.find((r) => r.symbol === 'SPX')!.last, 426.03, 'SPX from SPY');
    await p.getSnapshot(['AAPL']);
    assert.equal(server.requests.at(-1)!.query.get('feed'), 'delayed_sip', 'remembered: no second refusal per slot');
    assert.equal(server.requests.length, 3);
  });
});
