import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { tradingDaysBetween } from '../../src/calendar/nyse.js';
import { AuditEntry } from '../../src/db/models/audit-entry.js';
import { CapitalInjection } from '../../src/db/models/capital-injection.js';
import { Position } from '../../src/db/models/position.js';
import { readBars, upsertBars } from '../../src/market-data/bar-store.js';
import { Signal } from '../../src/db/models/signal.js';
import { Trade } from '../../src/db/models/trade.js';
import { fetchMarketData } from '../../src/market-data/fetch-service.js';
import { DemoProvider } from '../../src/market-data/demo-provider.js';
import { activateNewVersion, getActiveConfig } from '../../src/strategy/config-versions.js';
import { DEFAULT_PARAMS } from '../../src/strategy/config-schema.js';
import { generateSignalFor } from '../../src/strategy/signal-service.js';
import { executeTradesFor } from '../../src/trading/execution-service.js';
import { setPaused } from '../../src/trading/pause-service.js';
import { equitySeries } from '../../src/trading/portfolio-store.js';
import { pnlView, portfolioView, tradesView } from '../../src/trading/portfolio-service.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

useTestDatabase('execution');
const provider = new DemoProvider();
const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} ≠ ${b}`);

async function seedSignal(date: string, action: 'BUY' | 'SELL' | 'HOLD', allocations: Record<string, number>, sellPct = 0): Promise<void> {
  const cfg = await getActiveConfig('main');
  await Signal.create({ portfolio: 'main', tradeDate: date, configVersion: cfg.version, modelType: 'regime_based', action, confidenceScore: 0.5, allocations, features: { sell_pct: sellPct, action }, dataThrough: date, createdAt: new Date() });
}

async function bar(symbol: string, date: string, open: number, close: number): Promise<void> {
  await upsertBars([{ symbol, date, open, high: Math.max(open, close), low: Math.min(open, close), close, volume: 1, synthetic: true }], 'test');
}

describe('trade execution', () => {
  beforeEach(clearCollections);

  test('BUY at the open with 4-decimal quantities and a weighted average cost; SELL keeps the cost; re-runs create nothing', async () => {
    await bar('SPY', '2024-03-14', 100, 101);
    await bar('SPY', '2024-03-15', 103, 104);
    await bar('SPY', '2024-03-18', 110, 108);
    await seedSignal('2024-03-14', 'BUY', { SPY: 500 });
    await seedSignal('2024-03-15', 'BUY', { SPY: 400 });
    await seedSignal('2024-03-18', 'SELL', {}, 0.5);
    const r1 = await executeTradesFor('main', '2024-03-14');
    assert.equal(r1.fills[0]!.quantity, 5);
    const r2 = await executeTradesFor('main', '2024-03-15');
    assert.equal(r2.fills[0]!.quantity, 3.8834, '400 / 103 = 3.88349… rounded down to 4 decimals');
    const pos = await Position.findOne({ symbol: 'SPY' }).lean();
    close(pos!.quantity, 8.8834);
    close(pos!.avgCost, (500 + 3.8834 * 103) / 8.8834);
    const r3 = await executeTradesFor('main', '2024-03-18');
    assert.equal(r3.fills[0]!.action, 'SELL');
    assert.equal(r3.fills[0]!.quantity, 4.4417);
    close(r3.fills[0]!.realizedPnl, 4.4417 * (110 - pos!.avgCost));
    const after = await Position.findOne({ symbol: 'SPY' }).lean();
    close(after!.avgCost, pos!.avgCost, 1e-9);
    close(after!.quantity, 8.8834 - 4.4417);
    const counts = async () => [await Trade.countDocuments(), await CapitalInjection.countDocuments()];
    const before = await counts();
    for (const d of ['2024-03-14', '2024-03-15', '2024-03-18']) {
      const again = await executeTradesFor('main', d);
      assert.equal(again.newTrades, 0, `re-running ${d} creates nothing`);
    }
    assert.deepEqual(await counts(), before);
    const v = await portfolioView('main', '2024-03-18');
    close(v.cash, 3000 - 500 - 3.8834 * 103 + 4.4417 * 110);
  });

  test('a sell of everything closes the position', async () => {
    await bar('QQQ', '2024-03-14', 50, 50);
    await bar('QQQ', '2024-03-15', 55, 55);
    await seedSignal('2024-03-14', 'BUY', { QQQ: 100 });
    await seedSignal('2024-03-15', 'SELL', {}, 1);
    await executeTradesFor('main', '2024-03-14');
    await executeTradesFor('main', '2024-03-15');
    assert.equal(await Position.countDocuments(), 0);
    const v = await portfolioView('main');
    close(v.realizedPnl, 2 * 5);
  });

  test('no opening price: nothing executed, and the report says why', async () => {
    await seedSignal('2024-03-14', 'BUY', { SPY: 500 });
    const r = await executeTradesFor('main', '2024-03-14');
    assert.equal(r.executed, false);
    assert.match(r.reason ?? '', /no opening price on 2024-03-14 for SPY/);
    assert.equal(await Trade.countDocuments(), 0);
    assert.equal(await CapitalInjection.countDocuments(), 0);
  });

  test('a paused portfolio does not trade (and says why); after resume the same date executes', async () => {
    await bar('SPY', '2024-03-14', 100, 101);
    await seedSignal('2024-03-14', 'BUY', { SPY: 500 });
    const admin = { id: 'cli:ops', name: 'ops', source: 'cli' as const };
    await setPaused('main', true, admin, 'data vendor incident');
    await assert.rejects(setPaused('main', true, admin), /already paused/);
    const paused = await executeTradesFor('main', '2024-03-14');
    assert.equal(paused.executed, false);
    assert.match(paused.reason ?? '', /trading is paused \(cli:ops, .*: data vendor incident\)/);
    assert.equal(await Trade.countDocuments(), 0);
    await setPaused('main', false, admin);
    const resumed = await executeTradesFor('main', '2024-03-14');
    assert.equal(resumed.executed, true);
    assert.equal(resumed.fills.length, 1);
    assert.equal(await AuditEntry.countDocuments({ action: { $in: ['trading.pause', 'trading.resume'] }, result: 'ok' }), 2);
  });

  test('no signal: a clear error naming the recovery command', async () => {
    await assert.rejects(executeTradesFor('main', '2024-03-14'), /run `generate-signal --date 2024-03-14` first/);
  });

  test('ledger invariant over a multi-month run: cash + market value = equity, and equity moves only by trade P&L and capital', async () => {
    await activateNewVersion('main', { ...DEFAULT_PARAMS, assets: ['SPY', 'QQQ', 'DIA'] }, { actor: { id: 't', name: 't', source: 'cli' } });
    const days = tradingDaysBetween('2019-09-03', '2019-12-31');
    await fetchMarketData({ date: days[days.length - 1]!, symbols: ['SPY', 'QQQ', 'DIA'], provider, backfillDays: 250 });
    for (const d of days) {
      await generateSignalFor('main', d);
      await executeTradesFor('main', d);
    }
    const { points } = await equitySeries('main');
    assert.equal(points.length, days.length);
    const trades = await Trade.find({ portfolio: 'main' }).lean();
    assert.ok(trades.length > 20, `the run traded (${trades.length} fills)`);
    assert.ok(trades.some((t) => t.action === 'SELL') || trades.length > 60, 'the run is not trivial');
    const closes = new Map([...(await readBars(['SPY', 'QQQ', 'DIA'], '2019-01-01', '2019-12-31')).values()].flat().map((b) => [`${b.symbol}|${b.date}`, b.close]));
    const holdings = new Map<string, number>();
    let cash = 0;
    let prevEquity = 0;
    let prevDate: string | undefined;
    for (const p of points) {
      // P&L attribution computed independently of the replay: held shares move with the close,
      // new shares from their fill price, sold shares from yesterday's close to their fill price.
      let pnl = 0;
      for (const [s, q] of holdings) pnl += q * (closes.get(`${s}|${p.date}`)! - closes.get(`${s}|${prevDate}`)!);
      for (const t of trades.filter((x) => x.tradeDate === p.date)) {
        const c = closes.get(`${t.symbol}|${p.date}`)!;
        if (t.action === 'BUY') {
          pnl += t.quantity * (c - t.price);
          holdings.set(t.symbol, (holdings.get(t.symbol) ?? 0) + t.quantity);
          cash -= t.amount;
        } else {
          pnl -= t.quantity * (c - t.price); // shares sold at the open did not earn the rest of the day
          holdings.set(t.symbol, holdings.get(t.symbol)! - t.quantity);
          cash += t.amount;
        }
      }
      cash += p.capital;
      const mv = [...holdings].reduce((a, [s, q]) => a + q * closes.get(`${s}|${p.date}`)!, 0);
      close(p.cash, cash, 1e-6);
      close(p.cash + p.marketValue, p.equity, 1e-6);
      close(mv, p.marketValue, 1e-6);
      close(p.equity - prevEquity, p.capital + pnl, 1e-6);
      prevEquity = p.equity;
      prevDate = p.date;
    }
    const monthly = await pnlView('main', 'monthly');
    assert.deepEqual(monthly.map((m) => m.period), ['2019-09', '2019-10', '2019-11', '2019-12']);
    close(monthly.reduce((a, m) => a + m.pnl + m.capital, 0), points[points.length - 1]!.equity, 1e-6);
    const spy = await tradesView({ portfolio: 'main', symbol: 'spy', from: '2019-10-01', to: '2019-10-31' });
    assert.ok(spy.length > 0, 'October had SPY trades to filter');
    assert.ok(spy.every((t) => t.symbol === 'SPY' && t.tradeDate.startsWith('2019-10')));
  });
});

test('report P&L excludes the capital that arrived: a week of injections and no trades is zero', async () => {
  const { pnlOver } = await import('../../src/trading/reports.js');
  const pts = [
    { date: '2024-03-08', equity: 1000, capital: 1000, cash: 1000, marketValue: 0 },
    { date: '2024-03-11', equity: 2050, capital: 1000, cash: 1000, marketValue: 1050 },
    { date: '2024-03-12', equity: 3030, capital: 1000, cash: 2000, marketValue: 1030 },
  ];
  assert.equal(pnlOver(pts, '2024-03-08', '2024-03-08'), 0);
  assert.equal(pnlOver(pts, '2024-03-11', '2024-03-12'), 50 - 20);
  assert.equal(pnlOver(pts, '2024-03-01', null), 30);
});
