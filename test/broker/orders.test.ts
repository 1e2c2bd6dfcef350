import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { AlpacaBroker } from '../../src/broker/alpaca-broker.js';
import { clientOrderId } from '../../src/broker/client-order-id.js';
import { followOrders, placeOrders, setLiveSwitch } from '../../src/broker/order-service.js';
import { syncPortfolio } from '../../src/broker/reconcile.js';
import { parseEnvVars } from '../../src/config/env.js';
import { BrokerOrder } from '../../src/db/models/broker.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { Signal } from '../../src/db/models/signal.js';
import { Trade } from '../../src/db/models/trade.js';
import { upsertBars } from '../../src/market-data/bar-store.js';
import { setConfig } from '../../src/strategy/config-service.js';
import { ledgerBefore } from '../../src/trading/portfolio-store.js';
import { AlpacaStandIn, STAND_IN_KEYS } from '../helpers/alpaca-stand-in.js';
import { clearCollections, testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('broker-orders');
const alpaca = new AlpacaStandIn();
before(() => alpaca.start());
after(() => alpaca.close());

const DATE = '2026-03-10';
const actor = { id: 't', name: 'test', source: 'cli' as const };
const env = () => testEnv({ ALPACA_KEY_ID: STAND_IN_KEYS.id, ALPACA_SECRET_KEY: STAND_IN_KEYS.secret, ALPACA_TRADING_URL: alpaca.url, PROVIDER_TIMEOUT_MS: '1500', PROVIDER_RETRIES: '1' });
const brokerOf = () => new AlpacaBroker({ timeoutMs: 1500, retry: { attempts: 2, baseMs: 10, maxMs: 20, maxRetryAfterMs: 2000 }, baseUrl: alpaca.url, keyId: STAND_IN_KEYS.id, secretKey: STAND_IN_KEYS.secret, perMinute: 6000 });
const at = (ny: string) => new Date(`${DATE}T${ny}:00-04:00`);

async function setup(action: 'BUY' | 'SELL' = 'BUY'): Promise<void> {
  await clearCollections();
  alpaca.orders.length = 0;
  alpaca.activities.length = 0;
  alpaca.requests.length = 0;
  alpaca.positions.clear();
  alpaca.cash = 100_000;
  alpaca.faults = { create503: 0, createThenDelayMs: 0, rateLimited: 0 };
  await setConfig('main', ['broker=alpaca', 'daily_capital=1000'], actor);
  await upsertBars([{ symbol: 'SPY', date: '2026-03-09', open: 480, high: 482, low: 478, close: 480.5, volume: 1e6, synthetic: true }, { symbol: 'QQQ', date: '2026-03-09', open: 400, high: 401, low: 399, close: 400, volume: 1e6, synthetic: true }], 'test');
  await Signal.create({ portfolio: 'main', tradeDate: DATE, configVersion: 2, modelType: 'test', action, confidenceScore: 0.8, allocations: { SPY: 1000, QQQ: 600 }, features: { sell_pct: 0.5 }, dataThrough: '2026-03-09', createdAt: new Date() });
}

describe('orders through the Alpaca stand-in', () => {
  beforeEach(() => setup());

  test('a day\'s orders: opg before 09:28 (whole shares), day orders after the open; re-runs place nothing; partial then full fills become trades once', async () => {
    alpaca.now = at('09:15');
    const r = await placeOrders(env(), 'main', DATE, at('09:15'), 'open', brokerOf());
    assert.deepEqual(r.placed.map((o) => [o.symbol, o.timeInForce, o.qty]), [['SPY', 'opg', 2], ['QQQ', 'opg', 1]]);
    assert.equal(r.waiting.length, 2, 'the notional rests wait for the open');
    const again = await placeOrders(env(), 'main', DATE, at('09:16'), 'open', brokerOf());
    assert.equal(again.placed.length, 2);
    assert.equal(alpaca.orders.length, 2, 'a re-run places nothing');
    alpaca.now = at('09:35');
    const day = await placeOrders(env(), 'main', DATE, at('09:35'), 'day', brokerOf());
    assert.deepEqual(day.placed.map((o) => [o.symbol, o.timeInForce, o.notional]), [['SPY', 'day', 39], ['QQQ', 'day', 200]]);
    const spyOpg = clientOrderId('main', DATE, 'SPY', 'buy', 'opg');
    alpaca.now = at('09:36');
    alpaca.fill(spyOpg, [{ qty: 1, price: 481 }]);
    let f = await followOrders(env(), 'main', DATE, at('09:40'), brokerOf());
    assert.deepEqual([f.newFills, f.allDone], [1, false]);
    alpaca.now = at('09:41');
    alpaca.fill(spyOpg, [{ qty: 1, price: 481.5 }]);
    alpaca.now = at('09:42');
    alpaca.fill(clientOrderId('main', DATE, 'QQQ', 'buy', 'opg'), [{ qty: 1, price: 401 }]);
    alpaca.now = at('09:43');
    alpaca.fill(clientOrderId('main', DATE, 'SPY', 'buy', 'day'), [{ qty: 0.0810, price: 481.2 }]);
    alpaca.now = at('09:44');
    alpaca.fill(clientOrderId('main', DATE, 'QQQ', 'buy', 'day'), [{ qty: 0.4987, price: 401 }]);
    f = await followOrders(env(), 'main', DATE, at('09:45'), brokerOf());
    assert.deepEqual([f.newFills, f.allDone], [4, true]);
    assert.equal((await followOrders(env(), 'main', DATE, at('09:50'), brokerOf())).newFills, 0, 'each execution recorded once');
    const trades = await Trade.find({ portfolio: 'main', tradeDate: DATE }).sort({ createdAt: 1 }).lean();
    assert.deepEqual(trades.map((t) => [t.symbol, t.quantity, t.price]), [['SPY', 1, 481], ['SPY', 1, 481.5], ['QQQ', 1, 401], ['SPY', 0.081, 481.2], ['QQQ', 0.4987, 401]]);
    assert.ok(trades.every((t) => t.fillId && t.clientOrderId));
    const ledger = await ledgerBefore('main', '2026-03-11');
    assert.equal(+ledger.holdings.get('SPY')!.quantity.toFixed(4), 2.081);
    assert.equal(+ledger.cash.toFixed(2), +(1000 - 481 - 481.5 - 401 - 0.081 * 481.2 - 0.4987 * 401).toFixed(2), 'the day\'s capital less the fills at the broker\'s prices');
    // Reconciliation: in sync; then an order we did not place, reported once.
    const s1 = await syncPortfolio(env(), 'main', DATE, 'closing', at('16:15'), brokerOf());
    assert.deepEqual([s1.inSync, s1.differences], [true, []]);
    alpaca.foreignOrder('DIA', 3);
    const s2 = await syncPortfolio(env(), 'main', DATE, 'closing', at('16:20'), brokerOf());
    assert.deepEqual(s2.differences.map((d) => [d.kind, d.symbol]), [['unknown-order', 'DIA']]);
    assert.equal(s2.newlyPosted, 1);
    const s3 = await syncPortfolio(env(), 'main', DATE, 'closing', at('16:25'), brokerOf());
    assert.equal(s3.newlyPosted, 0, 'a difference is posted once');
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^broker-diff:main:/ }), 1);
  });

  test('a create that times out after the broker made the order, a 503, a duplicate id: one order each, found by its client id', async () => {
    alpaca.now = at('09:10');
    alpaca.faults.createThenDelayMs = 3_000; // longer than the client waits: the create made the order, the answer never came
    const r = await placeOrders(env(), 'main', DATE, at('09:10'), 'open', brokerOf());
    assert.deepEqual(r.placed.map((o) => o.symbol), ['SPY', 'QQQ'], 'the timed-out order was found by its client id');
    await placeOrders(env(), 'main', DATE, at('09:11'), 'open', brokerOf());
    assert.equal(alpaca.orders.length, 2, 'looked up, never placed twice');
    const posts = alpaca.requests.filter((q) => q.method === 'POST').length;
    assert.equal(posts, 2, 'the timed-out order was not re-POSTed');
    // Another process's claim left behind (killed between claim and create): the next run looks it up, then places.
    await setup();
    await BrokerOrder.create({ _id: clientOrderId('main', DATE, 'SPY', 'buy', 'opg'), portfolio: 'main', date: DATE, symbol: 'SPY', side: 'buy', timeInForce: 'opg', qty: 2, signalId: new mongoose.Types.ObjectId(), state: 'placing', claimedBy: 'dead:1', createdAt: new Date(0), updatedAt: new Date(0) });
    alpaca.faults.create503 = 1;
    await assert.rejects(placeOrders(env(), 'main', DATE, at('09:12'), 'open', brokerOf()));
    const r2 = await placeOrders(env(), 'main', DATE, at('09:13'), 'open', brokerOf());
    assert.equal(r2.placed.length, 2);
    assert.equal(alpaca.orders.length, 2);
  });

  test('refusals: the opg window, buying power, an asynchronous rejection — posted once to ops, the ledger unchanged', async () => {
    alpaca.now = at('09:29');
    // Placed late (a worker back after 09:28): nothing goes market-on-open, whole shares become day orders.
    const late = await placeOrders(env(), 'main', DATE, at('09:29'), 'open', brokerOf());
    assert.deepEqual(late.placed.map((o) => [o.timeInForce, o.qty]), [['day', 2], ['day', 1]]);
    assert.equal(late.waiting.length, 2, 'the fractional rests still wait for the open');
    await setup();
    alpaca.now = at('09:29'); // the stand-in's clock is past 09:28 but our job thinks it is 09:20
    const r = await placeOrders(env(), 'main', DATE, at('09:20'), 'open', brokerOf());
    assert.equal(r.refused.length, 2);
    assert.match(r.refused[0]!.reason, /opg orders must be submitted/);
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^broker-refused:/ }), 2);
    await placeOrders(env(), 'main', DATE, at('09:21'), 'open', brokerOf());
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^broker-refused:/ }), 2, 'posted once');
    assert.equal(await Trade.countDocuments({}), 0, 'the ledger unchanged');
    await setup();
    alpaca.now = at('09:10');
    alpaca.cash = 10;
    const poor = await placeOrders(env(), 'main', DATE, at('09:10'), 'open', brokerOf());
    assert.match(poor.refused.map((x) => x.reason).join(' '), /insufficient buying power/);
    await setup();
    alpaca.now = at('09:10');
    await placeOrders(env(), 'main', DATE, at('09:10'), 'open', brokerOf());
    alpaca.reject(clientOrderId('main', DATE, 'SPY', 'buy', 'opg'));
    const f = await followOrders(env(), 'main', DATE, at('09:40'), brokerOf());
    assert.equal(f.rejected.length, 1);
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^broker-rejected:/ }), 1);
  });

  test('a wash trade is refused and posted; a 429 with its headers is waited out on reads', async () => {
    alpaca.now = at('09:10');
    await placeOrders(env(), 'main', DATE, at('09:10'), 'open', brokerOf());
    // A sell of SPY while our buy rests: the broker's wash-trade protection says no.
    await Signal.updateOne({ portfolio: 'main', tradeDate: DATE }, { $set: { action: 'SELL' } });
    alpaca.positions.set('SPY', { qty: 3, cost: 470 });
    const broker = brokerOf();
    const r = await broker.placeOrder({ clientOrderId: 'sd-main-wash-test', symbol: 'SPY', side: 'sell', qty: 1, timeInForce: 'day' });
    assert.ok('refused' in r && r.refused.kind === 'wash-trade', JSON.stringify(r));
    alpaca.faults.rateLimited = 1;
    const account = await broker.account();
    assert.equal(account.cash, 100_000, 'answered after the 429');
    assert.ok(alpaca.requests.filter((q) => q.path === '/v2/account').length >= 2, 'asked again after the rate limit');
  });

  test('the live endpoint is refused without ALPACA_LIVE=yes and without an admin\'s confirmed switch; keys never appear in what is reported', async () => {
    alpaca.now = at('09:10');
    assert.throws(() => parseEnvVars({ ALPACA_TRADING_URL: 'https://api.alpaca.markets' }), /live \(real money\) endpoint: set ALPACA_LIVE=yes/);
    const live = parseEnvVars({ ALPACA_TRADING_URL: 'https://api.alpaca.markets', ALPACA_LIVE: 'yes', ALPACA_KEY_ID: STAND_IN_KEYS.id, ALPACA_SECRET_KEY: STAND_IN_KEYS.secret });
    // The environment alone is not enough: an admin's confirmed `broker live on` must be stored too.
    await assert.rejects(placeOrders(live, 'main', DATE, at('09:10'), 'open', brokerOf()), /no admin has confirmed live trading/);
    assert.equal(alpaca.orders.length, 0, 'nothing sent');
    await setLiveSwitch(true, actor);
    const r = await placeOrders(live, 'main', DATE, at('09:10'), 'open', brokerOf());
    assert.equal(r.placed.length, 2, 'after the switch (the stand-in plays the live endpoint here)');
    const wrong = new AlpacaBroker({ timeoutMs: 1500, retry: { attempts: 1, baseMs: 10, maxMs: 20, maxRetryAfterMs: 10 }, baseUrl: alpaca.url, keyId: 'PKWRONG', secretKey: 'wrong-secret-value', perMinute: 6000 });
    const err = await wrong.account().catch((e: unknown) => e as Error);
    assert.match(String((err as Error).message), /HTTP 401/);
    assert.ok(!String((err as Error).message).includes('wrong-secret-value'));
  });
});
