import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { countBars, readBars, upsertBars } from '../../src/market-data/bar-store.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { fetchMarketData } from '../../src/market-data/fetch-service.js';
import { DemoProvider } from '../../src/market-data/demo-provider.js';
import type { Bar, MarketDataProvider } from '../../src/market-data/provider.js';
import { loadJobs } from '../../src/scheduler/job-registry.js';
import { runJob } from '../../src/scheduler/run-job.js';
import { clearCollections, testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('fetch');

/** The demo provider, recording what it is asked for. */
class RecordingProvider implements MarketDataProvider {
  readonly id = 'demo';
  readonly calls: Array<{ symbols: string[]; from: string; to: string }> = [];
  private readonly inner = new DemoProvider();
  async getDailyBars(symbols: string[], from: string, to: string): Promise<Bar[]> {
    this.calls.push({ symbols, from, to });
    return this.inner.getDailyBars(symbols, from, to);
  }
}

describe('fetch-market-data', () => {
  beforeEach(clearCollections);

  test('running the job twice for the same date leaves the same number of bars and one post', async () => {
    const env = testEnv({ MARKET_UNIVERSE: 'SPX,SPY' });
    const jobs = await loadJobs(env.SCHEDULE_TIMEZONE);
    const def = jobs.get('fetch-market-data');
    assert.ok(def);
    const first = await runJob(def, env, { date: '2020-03-16', trigger: 'test' });
    assert.equal(first.status, 'succeeded');
    const afterFirst = await countBars();
    assert.ok(afterFirst > 250, `history was backfilled (${afterFirst} bars)`);
    const spx = (await readBars(['SPX'], '2020-03-16', '2020-03-16')).get('SPX')?.[0];
    assert.equal(spx?.close, 2386.13, 'the real S&P 500 close of 2020-03-16');
    assert.equal(spx?.synthetic, false);
    assert.equal((await readBars(['SPY'], '2020-03-16', '2020-03-16')).get('SPY')?.[0]?.synthetic, true);
    assert.equal(await countBars({ date: '2020-03-16' }), 2, 'one bar per symbol on the date');

    const second = await runJob(def, env, { date: '2020-03-16', trigger: 'test' });
    assert.equal(second.status, 'duplicate');
    const forced = await runJob(def, env, { date: '2020-03-16', trigger: 'test', force: true });
    assert.equal(forced.status, 'succeeded');
    assert.equal(forced.summary?.inserted, 0);
    assert.equal(forced.summary?.updated, 0);
    assert.equal(await countBars(), afterFirst, 'no bar added or duplicated');
    const posts = await Outbox.find({ idempotencyKey: 'fetch-market-data:2020-03-16' }).lean();
    assert.equal(posts.length, 1, 'the summary post is queued once');
    const post = posts[0]!.post as { demo: boolean; title: string; fields: Array<{ value: string }> };
    assert.equal(post.demo, true, 'demo data is labelled');
    assert.match(post.fields[0]!.value, /SPX\s+2386\.13\s+-11\.98%/);
  });

  test('an incremental update asks for the missing days and the last stored day again (it may have settled)', async () => {
    const provider = new RecordingProvider();
    await fetchMarketData({ date: '2020-03-10', symbols: ['SPX'], provider, backfillDays: 30 });
    assert.deepEqual(provider.calls[0], { symbols: ['SPX'], from: '2020-02-09', to: '2020-03-10' });
    const next = await fetchMarketData({ date: '2020-03-13', symbols: ['SPX'], provider });
    assert.deepEqual(provider.calls[1], { symbols: ['SPX'], from: '2020-03-10', to: '2020-03-13' });
    assert.equal(next.inserted, 3, '11th, 12th and 13th');
    assert.equal(next.unchanged, 1, 'the 10th, asked again, had not changed');
    assert.equal(next.moves[0]?.changePct !== undefined, true);
  });

  test('a bar corrected by the provider is updated, not duplicated', async () => {
    const provider = new RecordingProvider();
    await fetchMarketData({ date: '2020-03-10', symbols: ['SPX'], provider, backfillDays: 10 });
    const before = await countBars();
    const stored = (await readBars(['SPX'], '2020-03-10', '2020-03-10')).get('SPX')![0]!;
    await upsertBars([{ ...stored, close: stored.open }], 'test'); // a bad value in the cache
    const r = await fetchMarketData({ date: '2020-03-10', symbols: ['SPX'], provider });
    assert.equal(r.updated, 1);
    assert.equal(await countBars(), before);
    assert.equal((await readBars(['SPX'], '2020-03-10', '2020-03-10')).get('SPX')?.[0]?.close, 2882.23);
  });

  test('concurrent writers to the same symbol-year all land, once each (series locks)', async () => {
    const days = ['2024-03-11', '2024-03-12', '2024-03-13', '2024-03-14', '2024-03-15', '2024-03-18'];
    for (const symbol of ['ZZA', 'ZZB', 'ZZC', 'ZZD', 'ZZE']) {
      const bar = (date: string, c: number) => ({ symbol, date, open: c, high: c, low: c, close: c, volume: 1, synthetic: true });
      const reports = await Promise.all(days.map((d, k) => upsertBars([bar(d, 10 + k), bar('2024-03-08', 9)], 'test')));
      assert.equal(reports.reduce((n, r) => n + r.inserted, 0), days.length + 1, `${symbol}: each new bar counted once`);
      const stored = (await readBars([symbol], '2024-01-01', '2024-12-31')).get(symbol)!;
      assert.deepEqual(stored.map((b) => b.date), ['2024-03-08', ...days], `${symbol}: nothing lost`);
      assert.equal(await countBars({ symbol }), 7);
    }
  });
});
