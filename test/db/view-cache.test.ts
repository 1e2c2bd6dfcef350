import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { beforeEach, test } from 'node:test';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { revisionTokens } from '../../src/db/data-revision.js';
import { CapitalInjection } from '../../src/db/models/capital-injection.js';
import { Trade } from '../../src/db/models/trade.js';
import { cachedView } from '../../src/db/view-cache.js';
import { upsertBars } from '../../src/market-data/bar-store.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { getActiveConfig } from '../../src/strategy/config-versions.js';
import { tradesView } from '../../src/trading/portfolio-service.js';
import { clearCollections, testUri, useTestDatabase } from '../helpers/db.js';

const db = useTestDatabase('view-cache');
beforeEach(clearCollections);

const trade = (symbol: string, date = '2024-03-15') => ({ portfolio: 'main', signalId: new mongoose.Types.ObjectId(), tradeDate: date, symbol, action: 'BUY' as const, quantity: 1, price: 10, amount: 10, createdAt: new Date() });

test('a view is derived once while its data is unchanged, again after any write of that data, and once for identical calls in flight', async () => {
  let derived = 0;
  const view = () => cachedView('probe', ['trades'], async () => {
    derived++;
    await new Promise((r) => setTimeout(r, 30));
    return Trade.countDocuments({});
  });
  assert.deepEqual(await Promise.all([view(), view(), view()]), [0, 0, 0]);
  assert.equal(derived, 1, 'three calls at once, one derivation');
  assert.equal(await view(), 0);
  assert.equal(derived, 1, 'nothing changed: served again');
  for (const write of [
    () => Trade.create(trade('AAA')),
    () => Trade.insertMany([trade('BBB'), trade('CCC')]),
    () => Trade.updateOne({ symbol: 'AAA' }, { $set: { quantity: 2 } }),
    () => Trade.deleteMany({ symbol: 'CCC' }),
    () => CapitalInjection.create({ portfolio: 'main', date: '2024-03-15', amount: 1000, createdAt: new Date() }),
  ]) {
    const before: number = derived;
    await write();
    await view();
    assert.equal(derived, before + 1, `derived again after ${write.toString()}`);
  }
  assert.equal(await view(), 2);
  const bars = await revisionTokens(['bars']);
  await upsertBars([{ symbol: 'AAA', date: '2024-03-15', open: 1, high: 1, low: 1, close: 1, volume: 1, synthetic: false }], 'test');
  assert.notEqual(await revisionTokens(['bars']), bars, 'a bar write changes the bars token');
  const same = await revisionTokens(['bars']);
  await upsertBars([{ symbol: 'AAA', date: '2024-03-15', open: 1, high: 1, low: 1, close: 1, volume: 1, synthetic: false }], 'test');
  assert.equal(await revisionTokens(['bars']), same, 'an unchanged bar changes nothing');
});

test('a trade recorded by another process is in the next trade list this process serves', async () => {
  await getActiveConfig('main');
  await Trade.create(trade('AAA', '2024-03-14'));
  assert.deepEqual((await tradesView({})).map((t) => t.symbol), ['AAA']);
  assert.deepEqual((await tradesView({})).map((t) => t.symbol), ['AAA']);
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/helpers/insert-trade.ts', testUri(), db.name, 'main', 'ZZZ'], { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'silent' } });
  assert.deepEqual((await tradesView({})).map((t) => t.symbol), ['ZZZ', 'AAA']);
});
