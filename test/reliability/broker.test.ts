import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { clientOrderId } from '../../src/broker/client-order-id.js';
import { followOrders, placeOrders } from '../../src/broker/order-service.js';
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { BrokerOrder, BrokerState } from '../../src/db/models/broker.js';
import { Signal } from '../../src/db/models/signal.js';
import { Trade } from '../../src/db/models/trade.js';
import { upsertBars } from '../../src/market-data/bar-store.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { migrateStorage } from '../../src/runtime/migrations.js';
import { setConfig } from '../../src/strategy/config-service.js';
import { AlpacaStandIn, STAND_IN_KEYS } from '../helpers/alpaca-stand-in.js';
import { testEnv, testUri } from '../helpers/db.js';
import mongoose from 'mongoose';

/**
 * The broker with several worker processes: each places the day's orders and follows them at once (2 and 4
 * processes), and a worker killed -9 between placing an order and recording it. Figures, one per line: orders
 * at the broker per planned order (must be 1), trades per execution (must be 1).
 */
const DATE = '2026-03-10';
const alpaca = new AlpacaStandIn();
const dbName = `t_broker_rel_${randomBytes(3).toString('hex')}`;
const vars = () => ({ ALPACA_KEY_ID: STAND_IN_KEYS.id, ALPACA_SECRET_KEY: STAND_IN_KEYS.secret, ALPACA_TRADING_URL: alpaca.url, PROVIDER_TIMEOUT_MS: '1500', PROVIDER_RETRIES: '1', LOG_LEVEL: 'silent' });
const at = (ny: string) => `${DATE}T${ny}:00-04:00`;

function worker(phase: 'open' | 'day' | 'follow', when: string): { proc: ChildProcess; done: Promise<unknown> } {
  const script = `
    const { connectDatabase, disconnectDatabase } = await import('./src/db/connection.ts');
    const { parseEnvVars } = await import('./src/config/env.ts');
    const s = await import('./src/broker/order-service.ts');
    await connectDatabase(${JSON.stringify(testUri())}, ${JSON.stringify(dbName)}, { maxPoolSize: 10 });
    const env = parseEnvVars(process.env);
    const r = ${JSON.stringify(phase)} === 'follow' ? await s.followOrders(env, 'main', ${JSON.stringify(DATE)}, new Date(${JSON.stringify(when)})) : await s.placeOrders(env, 'main', ${JSON.stringify(DATE)}, new Date(${JSON.stringify(when)}), ${JSON.stringify(phase === 'follow' ? 'day' : phase)});
    process.stdout.write(JSON.stringify({ ok: true }) + '\\n');
    await disconnectDatabase();
    process.exit(0);
  `;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, env: { ...process.env, ...vars() }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise((resolve, reject) => proc.on('exit', (code, signal) => (code === 0 ? resolve('ok') : signal ? resolve(signal) : reject(new Error(`worker exited ${code}: ${err.slice(-1200)}`)))));
  return { proc, done };
}

async function seed(): Promise<void> {
  const db = mongoose.connection.db!;
  for (const c of await db.collections()) await c.deleteMany({});
  alpaca.orders.length = 0;
  alpaca.activities.length = 0;
  alpaca.positions.clear();
  alpaca.cash = 100_000;
  await setConfig('main', ['broker=alpaca', 'daily_capital=1000'], { id: 't', name: 'test', source: 'cli' });
  await upsertBars([{ symbol: 'SPY', date: '2026-03-09', open: 480, high: 482, low: 478, close: 480.5, volume: 1e6, synthetic: true }, { symbol: 'QQQ', date: '2026-03-09', open: 400, high: 401, low: 399, close: 400, volume: 1e6, synthetic: true }], 'test');
  await Signal.create({ portfolio: 'main', tradeDate: DATE, configVersion: 2, modelType: 'test', action: 'BUY', confidenceScore: 0.8, allocations: { SPY: 1000, QQQ: 600 }, features: { sell_pct: 0 }, dataThrough: '2026-03-09', createdAt: new Date() });
}

describe('reliability: the broker with several workers', () => {
  before(async () => {
    await alpaca.start();
    await connectDatabase(testUri(), dbName);
    await migrateStorage();
  });
  after(async () => {
    await disconnectDatabase();
    await alpaca.close();
  });

  for (const n of [2, 4]) {
    test(`${n} workers place and follow the day's orders at once: one order per planned order, one trade per execution`, async () => {
      await seed();
      alpaca.now = new Date(at('09:15'));
      await Promise.all(Array.from({ length: n }, () => worker('open', at('09:15')).done));
      alpaca.now = new Date(at('09:35'));
      await Promise.all(Array.from({ length: n }, () => worker('day', at('09:35')).done));
      const perId = new Map<string, number>();
      for (const o of alpaca.orders) perId.set(o.client_order_id, (perId.get(o.client_order_id) ?? 0) + 1);
      process.stdout.write(`broker_${n}_workers_orders ${alpaca.orders.length} (planned 4)\nbroker_${n}_workers_duplicate_orders ${[...perId.values()].filter((c) => c > 1).length}\n`);
      assert.equal(alpaca.orders.length, 4);
      // The day's list of our orders (what the syncs and /broker status read) holds every one, whoever placed it.
      const listed = ((await BrokerState.findById(`orders|main|${DATE}`).lean())?.value as string[] | undefined) ?? [];
      assert.deepEqual([...listed].sort(), alpaca.orders.map((o) => o.client_order_id).sort(), 'every order in the day list once');
      for (const o of alpaca.orders) alpaca.fill(o.client_order_id, o.qty ? [{ qty: Number(o.qty) / 2, price: 481 }, { qty: Number(o.qty) / 2, price: 481.2 }] : [{ qty: Number(o.notional) / 480, price: 480 }]);
      await Promise.all(Array.from({ length: n }, () => worker('follow', at('09:45')).done));
      const trades = await Trade.countDocuments({ portfolio: 'main', tradeDate: DATE });
      process.stdout.write(`broker_${n}_workers_executions ${alpaca.activities.length}\nbroker_${n}_workers_trades ${trades}\n`);
      assert.equal(trades, alpaca.activities.length, 'one trade per execution');
    });
  }

  test('a worker killed -9 between placing an order and recording it: the next run finds it by its client id, places nothing twice', async () => {
    await seed();
    alpaca.now = new Date(at('09:15'));
    alpaca.faults.createThenDelayMs = 4_000; // the order is made, the answer is slow: the worker dies waiting
    const w = worker('open', at('09:15'));
    for (let i = 0; i < 200 && alpaca.orders.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    w.proc.kill('SIGKILL');
    assert.equal(await w.done, 'SIGKILL');
    const claimed = await BrokerOrder.findById(clientOrderId('main', DATE, 'SPY', 'buy', 'opg')).lean();
    assert.equal(claimed?.state, 'placing', 'killed after the claim and the create, before recording');
    await BrokerOrder.updateOne({ _id: claimed!._id }, { $set: { updatedAt: new Date(0) } }); // a minute later: the claim is stale
    const r = await placeOrders(testEnv(vars()), 'main', DATE, new Date(at('09:16')), 'open');
    const ids = alpaca.orders.map((o) => o.client_order_id);
    process.stdout.write(`broker_kill9_orders ${ids.length} (planned 2)\nbroker_kill9_duplicates ${ids.length - new Set(ids).size}\n`);
    assert.deepEqual(r.placed.map((o) => o.symbol).sort(), ['QQQ', 'SPY']);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, 2);
    alpaca.fill(clientOrderId('main', DATE, 'SPY', 'buy', 'opg'), [{ qty: 2, price: 481 }]);
    alpaca.now = new Date(at('09:40'));
    const f = await followOrders(testEnv(vars()), 'main', DATE, new Date(at('09:40')));
    assert.equal(f.newFills, 1);
  });
});
