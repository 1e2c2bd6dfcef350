import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScanResult } from '../../src/db/models/scan-result.js';
import { findScan, runNamedScan, scanPost } from '../../src/analysis/scan-service.js';
import { readBars, upsertBars } from '../../src/market-data/bar-store.js';
import { DemoProvider } from '../../src/market-data/demo-provider.js';
import { buildPost } from '../../src/notify/post.js';
import { useTestDatabase } from '../helpers/db.js';

useTestDatabase('scan_service');

const SYMBOLS = ['SPX', 'SPY', 'QQQ', 'AAPL', 'MSFT'];

test('a scan is stored once per date, records its data date, and shows low data quality in its post', async () => {
  const provider = new DemoProvider();
  const first = await runNamedScan('next-day-prep', '2020-03-16', { provider, symbols: SYMBOLS });
  assert.equal(first.created, true);
  assert.equal(first.dataThrough, '2020-03-16');
  assert.equal(first.scanned, SYMBOLS.length);
  assert.deepEqual(first.quality.low, [], 'demo bars are complete');
  const again = await runNamedScan('next-day-prep', '2020-03-16', { provider, symbols: SYMBOLS });
  assert.equal(again.created, false, 'the second run finds the stored scan');
  assert.equal(await ScanResult.countDocuments({ scan: 'next-day-prep', date: '2020-03-16' }), 1);

  // An unadjusted 2:1 split in the cache for AAPL from 2020-03-09 on.
  const aapl = (await readBars(['AAPL'], '2020-03-09', '2020-03-16')).get('AAPL')!;
  await upsertBars(aapl.map((b) => ({ ...b, open: b.open / 2, high: b.high / 2, low: b.low / 2, close: b.close / 2 })), 'test');
  const forced = await runNamedScan('next-day-prep', '2020-03-16', { provider: { id: 'offline', getDailyBars: async () => [] }, symbols: SYMBOLS, force: true });
  assert.equal(forced.created, true);
  assert.deepEqual(forced.quality.low.map((q) => q.symbol), ['AAPL']);
  assert.equal(forced.quality.low[0]!.score, 75);
  assert.match(forced.quality.low[0]!.summary, /2:1 split not adjusted/);
  const post = buildPost(scanPost(forced, true));
  const field = post.fields.find((f) => f.name.startsWith('Data quality'));
  assert.ok(field, 'the post carries a data-quality field');
  assert.match(field.value, /⚠ AAPL 75: close .* like a 2:1 split not adjusted/);
  assert.equal((await findScan('next-day-prep', '2020-03-16'))?.quality.low[0]?.symbol, 'AAPL');
});

test('two attempts of one forced scan storing at once both succeed, and one scan stands', async () => {
  const offline = { id: 'offline', getDailyBars: async () => [] };
  await runNamedScan('closing-scan', '2020-03-16', { provider: new DemoProvider(), symbols: SYMBOLS });
  const runs = await Promise.allSettled(Array.from({ length: 4 }, () => runNamedScan('closing-scan', '2020-03-16', { provider: offline, symbols: SYMBOLS, force: true })));
  assert.deepEqual(runs.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'], String(runs.find((r) => r.status === 'rejected') && (runs.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason));
  assert.equal(await ScanResult.countDocuments({ scan: 'closing-scan', date: '2020-03-16' }), 1);
});
