import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BarSeries } from '../../src/db/models/bar-series.js';
import { dateOfDay, dayNumber, decodeBars, encodeBars } from '../../src/market-data/bar-codec.js';
import { barSeriesId, KEYED_READ_MAX, keyBarSeries, readBars, streamBars, upsertBars } from '../../src/market-data/bar-store.js';
import type { Bar } from '../../src/market-data/provider.js';
import { inChildProcess } from '../helpers/child-script.js';
import { useTestDatabase } from '../helpers/db.js';

const db = useTestDatabase('bar_store');

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
  } as never);
  assert.equal(await keyBarSeries(), 1, 'the start-up migration gives it its key');
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

test('a series is stored under "<symbol>|<year>", and a few series read by _id give what one scan of many gives', async () => {
  const days = ['2021-12-30', '2021-12-31', '2022-01-03', '2022-01-04'];
  const symbols = Array.from({ length: KEYED_READ_MAX }, (_, i) => `K${String(i).padStart(3, '0')}`);
  await upsertBars(symbols.flatMap((s, i) => days.map((d, j) => bar(s, d, 10 + i + j / 10))), 'test');
  const ids = (await BarSeries.collection.find({ symbol: { $in: ['K001', 'K002'] } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id).sort();
  assert.deepEqual(ids, [barSeriesId('K001', 2021), barSeriesId('K001', 2022), barSeriesId('K002', 2021), barSeriesId('K002', 2022)]);
  const few = await readBars(['K007', 'K003', 'NONE'], '2021-12-31', '2022-01-03'); // 6 keys: by _id
  const many = await readBars(symbols, '2021-12-31', '2022-01-03'); // 192 keys: one scan
  assert.deepEqual([...few.keys()], ['K007', 'K003', 'NONE']);
  assert.deepEqual(few.get('K003'), many.get('K003'));
  assert.deepEqual(few.get('K007')?.map((b) => `${b.date} ${b.close}`), ['2021-12-31 17.1', '2022-01-03 17.2']);
  assert.deepEqual(few.get('NONE'), []);
  const order: string[] = [];
  for await (const [s] of streamBars(['K009', 'K002', 'K005'], '2021-01-01', '2022-12-31')) order.push(s);
  assert.deepEqual(order, ['K002', 'K005', 'K009'], 'symbols in sorted order, as the scan sorts them');
  // A write to a few series reads them by _id too, and a re-sent day changes nothing.
  const again = await upsertBars([bar('K001', '2022-01-04', 11.3), bar('K001', '2022-01-05', 11.4)], 'test');
  assert.deepEqual([again.inserted, again.unchanged], [1, 1]);
});

test('two processes re-keying a database of old series at once, while a third writes to it, move each series once and lose no bar', async () => {
  await BarSeries.collection.deleteMany({});
  const { encodeBars: enc } = await import('../../src/market-data/bar-codec.js');
  const olds = Array.from({ length: 60 }, (_, i) => {
    const symbol = `L${String(i).padStart(2, '0')}`;
    const bars = [bar(symbol, '2020-06-01', 20 + i), bar(symbol, '2020-06-02', 21 + i)];
    return { symbol, year: 2020, data: enc(bars), firstDate: '2020-06-01', lastDate: '2020-06-02', count: 2, source: 'legacy', rev: 1, updatedAt: new Date() };
  });
  await BarSeries.collection.insertMany(olds as never[]); // ObjectId _ids, as earlier versions wrote them
  const rekey = `const { keyBarSeries } = await import('./src/market-data/bar-store.ts'); process.stdout.write(String(await keyBarSeries()) + '\\n');`;
  const write = `const { upsertBars } = await import('./src/market-data/bar-store.ts');
    const r = await upsertBars(Array.from({ length: 60 }, (_, i) => ({ symbol: 'L' + String(i).padStart(2, '0'), date: '2020-06-03', open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, synthetic: false })), 'test');
    process.stdout.write(String(r.inserted) + '\\n');`;
  const [a, b, w] = await Promise.all([inChildProcess(db.name, rekey), inChildProcess(db.name, rekey), inChildProcess(db.name, write)]);
  assert.equal(Number(a) + Number(b) + (await keyBarSeries()), 60, `each old series moved once (${a} + ${b})`);
  assert.equal(Number(w), 60, 'the concurrent write stored its day for every symbol');
  const docs = await BarSeries.collection.find({}, { projection: { _id: 1 } }).toArray();
  assert.equal(docs.length, 60, 'one series per symbol-year');
  assert.ok(docs.every((d) => typeof d._id === 'string'), 'every series has its key');
  const read = await readBars(['L00', 'L59'], '2020-01-01', '2020-12-31');
  assert.deepEqual(read.get('L59')?.map((x) => `${x.date} ${x.close}`), ['2020-06-01 79', '2020-06-02 80', '2020-06-03 1.5'], 'old bars and the new day together');
  assert.equal(read.get('L00')?.length, 3);
});
