import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UniverseMember } from '../../src/db/models/universe-member.js';
import { lastBarDates } from '../../src/market-data/bar-store.js';
import { DemoProvider } from '../../src/market-data/demo-provider.js';
import { universeReportPost, universeView, updateUniverse } from '../../src/market-data/universe-update.js';
import { buildPost } from '../../src/notify/post.js';
import { useTestDatabase } from '../helpers/db.js';

useTestDatabase('universe_update');

const dir = mkdtempSync(join(tmpdir(), 'universe-'));
function universeFile(name: string, symbols: Array<[string, string, string]>): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ source: 'test', symbols: symbols.map(([symbol, n, sector]) => ({ symbol, name: n, sector, indices: ['SP500'] })) }));
  return file;
}

test('the weekly update records joiners and leavers, backfills the joiners, and changes nothing when rerun', async () => {
  const provider = new DemoProvider();
  const a = universeFile('a.json', [['SPX', 'S&P 500 index', 'Index'], ['SPY', 'SPDR S&P 500', 'ETF'], ['AAPL', 'Apple', 'Information Technology']]);
  const first = await updateUniverse({ date: '2020-03-15', provider, file: a });
  assert.equal(first.initial, true);
  assert.equal(first.asOf, '2020-03-13', 'a Sunday run looks at Friday\'s bars');
  assert.equal(first.members, 3);
  assert.deepEqual(first.backfilled, [], 'the first load leaves backfill to the scans');
  assert.deepEqual(first.coverage.noBars.sort(), ['AAPL', 'SPX', 'SPY']);
  assert.equal(await UniverseMember.countDocuments({ active: true }), 3);

  const b = universeFile('b.json', [['SPX', 'S&P 500 index', 'Index'], ['SPY', 'SPDR S&P 500 ETF Trust', 'ETF'], ['MSFT', 'Microsoft', 'Information Technology']]);
  const second = await updateUniverse({ date: '2020-03-22', provider, file: b });
  assert.equal(second.initial, false);
  assert.deepEqual(second.added.map((x) => x.symbol), ['MSFT']);
  assert.deepEqual(second.removed.map((x) => x.symbol), ['AAPL']);
  assert.deepEqual(second.changed.map((x) => `${x.symbol}: ${x.from} → ${x.name}`), ['SPY: SPDR S&P 500 · ETF → SPDR S&P 500 ETF Trust']);
  assert.deepEqual(second.backfilled, ['MSFT']);
  assert.equal((await lastBarDates(['MSFT'])).get('MSFT'), '2020-03-20', 'history through Friday');
  assert.deepEqual(second.coverage.noBars.sort(), ['SPX', 'SPY']);
  const aapl = await UniverseMember.findOne({ symbol: 'AAPL' }).lean();
  assert.equal(aapl?.active, false);
  assert.ok(aapl?.removedAt instanceof Date, 'removal is dated, the record kept');

  const third = await updateUniverse({ date: '2020-03-22', provider, file: b });
  assert.deepEqual([third.added.length, third.removed.length, third.changed.length, third.backfilled.length], [0, 0, 0, 0]);
  assert.equal(await UniverseMember.countDocuments(), 4);

  const view = await universeView();
  assert.equal(view.members, 3);
  assert.deepEqual(view.sectors, { Index: 1, ETF: 1, 'Information Technology': 1 });
  assert.ok(view.recent.some((r) => r.symbol === 'AAPL' && r.change === 'removed'));
  const post = buildPost(universeReportPost(second, true));
  assert.equal(post.fields.find((f) => f.name === 'Added')?.value, 'MSFT');
  assert.equal(post.fields.find((f) => f.name === 'Removed (bars kept)')?.value, 'AAPL');
});
