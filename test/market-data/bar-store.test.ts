import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BarSeries } from '../../src/db/models/bar-series.js';
import { dateOfDay, dayNumber, decodeBars, encodeBars } from '../../src/market-data/bar-codec.js';
import { readBars, streamBars, upsertBars } from '../../src/market-data/bar-store.js';
import type { Bar } from '../../src/market-data/provider.js';
import { useTestDatabase } from '../helpers/db.js';

useTestDatabase('bar_store');

const bar = (symbol: string, date: string, c: number, synthetic = false): Bar => ({ symbol, date, open: c - 0.5, high: c + 1.25, low: c - 1.125, close: c, volume: 1_234_567, synthetic });

test('the binary block round-trips every field exactly, sorted by date, and filters a range', () => {
  const bars = [bar('X', '2024-03-15', 101.37), bar('X', '2024-01-02', 99.01, true), bar('X', '2024-02-29', 0.0001)];
  const block = encodeBars(bars);
  assert.equal(block.byteLength, 3 * 7 * 8);
  assert.deepEqual(decodeBars('X', block), [bars[1], bars[2], bars[0]]);
  assert.deepEqual(decodeBars('X', block, '2024-02-01', '2024-03-01'), [bars[2]]);
  const shifted = new Uint8Array(block.byteLength + 3).subarray(3);
  shifted.set(block);
  assert.deepEqual(decodeBars('X', shifted), [bars[1], bars[2], bars[0]], 'an unaligned buffer decodes too');
  assert.equal(dateOfDay(dayNumber('2000-02-29')), '2000-02-29');
  assert.throws(() => decodeBars('X', new Uint8Array(10)), /not a multiple of 56/);
});

test('documents in the earlier array layout are still read, and rewritten as a block on the next change', async () => {
  await BarSeries.collection.insertOne({
    symbol: 'OLD', year: 2020, dates: ['2020-03-12', '2020-03-13'], open: [10, 11], high: [12, 13], low: [9, 10], close: [11, 12], volume: [5, 6], synthetic: [false, false],
    firstDate: '2020-03-12', lastDate: '2020-03-13', count: 2, source: 'legacy', rev: 3, updatedAt: new Date(),
  });
  assert.deepEqual((await readBars(['OLD'], '2020-03-13', '2020-03-13')).get('OLD')?.map((b) => b.close), [12]);
  const r = await upsertBars([bar('OLD', '2020-03-16', 13)], 'test');
  assert.equal(r.inserted, 1);
  const doc = await BarSeries.collection.findOne({ symbol: 'OLD' });
  assert.equal(doc?.dates, undefined, 'the arrays are gone');
  assert.equal(doc?.rev, 4);
  assert.deepEqual((await readBars(['OLD'], '2020-01-01', '2020-12-31')).get('OLD')?.map((b) => `${b.date} ${b.close}`), ['2020-03-12 11', '2020-03-13 12', '2020-03-16 13']);
});

test('streamBars yields each symbol once, its years joined in date order', async () => {
  await upsertBars([bar('S1', '2019-12-31', 1), bar('S1', '2020-01-02', 2), bar('S2', '2020-01-02', 3), bar('S0', '2018-06-01', 4)], 'test');
  const seen: string[] = [];
  for await (const [symbol, bars] of streamBars(['S1', 'S2', 'S0', 'NONE'], '2019-01-01', '2020-12-31')) seen.push(`${symbol}:${bars.map((b) => b.date).join(',')}`);
  assert.deepEqual(seen, ['S1:2019-12-31,2020-01-02', 'S2:2020-01-02'], 'S0 has nothing in range, NONE has no bars');
});
