import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upsertRacing } from '../../src/db/connection.js';
import { Position } from '../../src/db/models/position.js';
import { syncPositions } from '../../src/trading/portfolio-store.js';
import { emptyState } from '../../src/trading/ledger.js';
import { useTestDatabase } from '../helpers/db.js';

useTestDatabase('upsert_racing');

test('an upsert that loses the insert race to another writer lands as an update (the row exists by then)', async () => {
  await Position.init();
  const calls: boolean[] = [];
  // The other writer created the row between our read and our insert: our insert attempt hits the unique key.
  await Position.create({ portfolio: 'race', symbol: 'AAA', quantity: 1, avgCost: 10, updatedAt: new Date() });
  await upsertRacing(async (upsert) => {
    calls.push(upsert);
    if (upsert) await Position.create({ portfolio: 'race', symbol: 'AAA', quantity: 7, avgCost: 12, updatedAt: new Date() });
    else await Position.updateOne({ portfolio: 'race', symbol: 'AAA' }, { $set: { quantity: 7, avgCost: 12 } });
  });
  assert.deepEqual(calls, [true, false]);
  const rows = await Position.find({ portfolio: 'race' }).lean();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.quantity, 7);
  // Any other error is not swallowed.
  await assert.rejects(upsertRacing(async () => { throw new Error('disk full'); }), /disk full/);
});

test('many writers syncing the same holdings at once leave one row per symbol and no error', async () => {
  await Position.init();
  const state = emptyState();
  for (const [symbol, quantity] of [['BBB', 3], ['CCC', 5]] as const) state.holdings.set(symbol, { symbol, quantity, avgCost: 20 });
  await Promise.all(Array.from({ length: 8 }, () => syncPositions('race2', state)));
  const rows = await Position.find({ portfolio: 'race2' }).lean();
  assert.deepEqual(rows.map((r) => [r.symbol, r.quantity]).sort(), [['BBB', 3], ['CCC', 5]]);
});
