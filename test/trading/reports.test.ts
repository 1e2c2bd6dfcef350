import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Types } from 'mongoose';
import { CapitalInjection } from '../../src/db/models/capital-injection.js';
import { Trade } from '../../src/db/models/trade.js';
import { upsertBars } from '../../src/market-data/bar-store.js';
import { demoBars } from '../../src/market-data/demo-market.js';
import { versionReview, weeklyReport } from '../../src/trading/reports.js';
import { useTestDatabase } from '../helpers/db.js';

useTestDatabase('reports');

test('the weekly report and the version review put the benchmark beside the portfolio', async () => {
  const bars = (s: string) => demoBars(s, '2020-02-03', '2020-02-28').map((b) => ({ symbol: s, ...b }));
  await upsertBars([...bars('SPX'), ...bars('SPY')], 'demo');
  const close = (d: string) => demoBars('SPX', d, d)[0]!.close;
  for (const date of ['2020-02-18', '2020-02-19', '2020-02-20', '2020-02-21', '2020-02-24', '2020-02-25', '2020-02-26', '2020-02-27', '2020-02-28']) {
    await CapitalInjection.create({ portfolio: 'main', date, amount: 1000, createdAt: new Date() });
  }
  const spy = demoBars('SPY', '2020-02-18', '2020-02-18')[0]!;
  await Trade.create({ portfolio: 'main', signalId: new Types.ObjectId(), tradeDate: '2020-02-18', symbol: 'SPY', action: 'BUY', quantity: 2, price: spy.open, amount: 2 * spy.open, createdAt: new Date() });
  const r = await weeklyReport('main', '2020-03-01', 'SPX');
  // The week 2020-02-23..29: SPX from Friday 21st's close to Friday 28th's.
  assert.ok(Math.abs(r.benchmarkWeek! - (close('2020-02-28') / close('2020-02-21') - 1)) < 1e-12);
  assert.ok(r.benchmarkWeek! < -0.1, 'the week of the February 2020 fall');
  assert.ok(r.weekReturn !== null && r.weekReturn > r.benchmarkWeek!, 'mostly cash: it fell less than the index');
  assert.equal(r.sinceStart?.symbol, 'SPX');
  assert.equal(r.sinceStart?.portfolio.invested, 9000);
  const [v1] = await versionReview('main', 'SPX');
  assert.ok(Math.abs(v1!.benchmarkReturn! - (close('2020-02-28') / close('2020-02-14') - 1)) < 1e-12, 'from the close before the version’s first day');
});
