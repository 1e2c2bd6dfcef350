import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { test } from 'node:test';
import { BacktestRun } from '../../src/db/models/backtest-run.js';
import { Trade } from '../../src/db/models/trade.js';
import { DemoProvider } from '../../src/market-data/demo-provider.js';
import { backtest, sweepUnfinishedBacktests } from '../../src/strategy/backtest-service.js';
import { portfolioView, tradesView } from '../../src/trading/portfolio-service.js';
import { useTestDatabase } from '../helpers/db.js';

useTestDatabase('backtest');
const actor = { id: 'cli:t', name: 't', source: 'cli' as const };

test('a backtest on cached SPX bars writes a scratch portfolio that the normal reads can inspect', async () => {
  const s = await backtest({ from: '2018-01-02', to: '2018-12-31', symbols: ['SPX'], actor, provider: new DemoProvider() });
  assert.equal(s.days, 251, 'every NYSE session of 2018');
  assert.equal(s.symbols.join(), 'SPX');
  assert.ok(s.trades > 0);
  assert.equal(await Trade.countDocuments({ portfolio: s.portfolio }), s.trades);
  assert.ok(s.maxDrawdown >= 0 && s.maxDrawdown < 1);
  assert.equal(s.capital, 251 * 1000);
  const v = await portfolioView(s.portfolio);
  assert.ok(Math.abs(v.equity - s.finalEquity) < 1e-6, 'replaying the stored trades gives the engine’s equity');
  assert.equal((await tradesView({ portfolio: s.portfolio, limit: 10_000 })).length, s.trades);
  assert.equal(await BacktestRun.countDocuments({ runId: s.runId }), 1);
});

test('bad backtest input is refused before anything runs', async () => {
  const p = new DemoProvider();
  await assert.rejects(backtest({ from: '2019-05-01', to: '2019-01-01', actor, provider: p }), /--from 2019-05-01 must be before --to 2019-01-01/);
  await assert.rejects(backtest({ from: '2019-13-01', to: '2019-12-31', actor, provider: p }), /--from "2019-13-01" is not usable/);
  await assert.rejects(backtest({ from: '2019-01-01', to: '2019-12-31', symbols: ['s&p'], actor, provider: p }), /--symbols: not covered: "S&P"/);
  await assert.rejects(backtest({ from: '2019-01-02', to: '2019-03-01', symbols: ['ZZZZ'], actor, provider: p }), /--symbols: not covered: "ZZZZ". Covered: the \d+ universe symbols/);
});

test('a backtest killed while saving leaves nothing behind once swept; finished ones are kept', async () => {
  const done = await backtest({ from: '2018-01-02', to: '2018-03-30', symbols: ['SPX'], actor, provider: new DemoProvider() });
  assert.equal((await BacktestRun.findOne({ runId: done.runId }).lean())?.status, 'done');
  // What a kill -9 between the record and the last insert leaves: a 'writing' record and some rows.
  const createdAt = new Date(Date.now() - 20 * 60_000);
  await BacktestRun.create({ runId: 'killed', portfolio: 'backtest:killed', from: '2018-01-02', to: '2018-03-30', configVersion: 1, symbols: ['SPX'], metrics: {}, curve: [], createdBy: 'cli:t', createdAt, status: 'writing' });
  await Trade.create({ portfolio: 'backtest:killed', signalId: new mongoose.Types.ObjectId(), tradeDate: '2018-01-02', symbol: 'SPX', action: 'BUY', quantity: 1, price: 1, amount: 1, createdAt });
  assert.deepEqual(await sweepUnfinishedBacktests(), ['backtest:killed']);
  assert.equal(await Trade.countDocuments({ portfolio: 'backtest:killed' }), 0);
  assert.equal(await BacktestRun.countDocuments({ runId: 'killed' }), 0);
  assert.equal(await Trade.countDocuments({ portfolio: done.portfolio }), done.trades, 'a finished backtest is untouched');
});
