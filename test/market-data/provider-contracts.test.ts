import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { SeriesContractDoc, SplitEvent } from '../../src/db/models/series-contract.js';
import { readBars, upsertBars } from '../../src/market-data/bar-store.js';
import { fetchMarketData, fetchSummaryPost } from '../../src/market-data/fetch-service.js';
import { FailoverProvider } from '../../src/market-data/failover.js';
import { AlpacaProvider } from '../../src/market-data/providers/alpaca.js';
import { AlphaVantageProvider, applySplits, classifyNotice } from '../../src/market-data/providers/alphavantage.js';
import { nextUrlAllowed, PolygonProvider } from '../../src/market-data/providers/polygon.js';
import { splitRatio } from '../../src/market-data/splits.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';
import { manualClock } from '../helpers/replay-server.js';
import { useReplayServer } from '../helpers/use-replay-server.js';

useTestDatabase('provider_contracts');

const server = useReplayServer();
beforeEach(clearCollections);

function opts(clock = manualClock()) {
  return {
    baseUrl: server.url, timeoutMs: 2000, limits: { perMinute: 600, perDay: null }, clock, random: () => 0.5,
    retry: { attempts: 3, baseMs: 500, maxMs: 8000, maxRetryAfterMs: 60_000 }, breaker: { threshold: 3, coolDownMs: 60_000 },
  };
}

describe('Alpha Vantage on a free key', () => {
  test('a first backfill asks compact (what the plan serves), stores it, and the series and post say how deep and unadjusted it is', async () => {
    server.on('GET', '/query', { fixture: 'alphavantage-daily-IBM.json' });
    const p = new AlphaVantageProvider({ ...opts(), apiKey: 'AVKEY123456' });
    const s = await fetchMarketData({ date: '2024-03-15', symbols: ['IBM'], provider: p, backfillDays: 420 });
    assert.equal(server.requests[0]!.query.get('outputsize'), 'compact', 'never full on a free key: that is a premium feature');
    assert.ok(s.inserted > 0);
    assert.deepEqual(s.missing, []);
    const c = await SeriesContractDoc.findById('IBM').lean();
    assert.equal(c?.adjustment, 'none');
    assert.equal(c?.depthDays, 100);
    assert.equal(c?.policyMet, false);
    const post = fetchSummaryPost(s);
    const series = post.fields!.find((f) => f.name === 'Series')!.value;
    assert.match(series, /1 series not split-adjusted \(alphavantage plan\)/);
    assert.match(series, /limited to the latest 100 trading days by the alphavantage plan/);
  });

  test('a burst notice waits a second and the request then succeeds', async () => {
    server.on('GET', '/query', { fixture: 'alphavantage-information-burst.json' }, { fixture: 'alphavantage-daily-IBM.json' });
    const clock = manualClock();
    const p = new AlphaVantageProvider({ ...opts(clock), apiKey: 'AVKEY123456' });
    const bars = await p.getDailyBars(['IBM'], '2024-03-15', '2024-03-15');
    assert.equal(bars.length, 1);
    assert.equal(server.requests.length, 2);
    assert.ok(clock.slept.some((ms) => ms >= 1_100), `waited ${clock.slept.join(', ')} ms`);
    assert.equal(p.http.breaker.snapshot().consecutiveFailures, 0);
  });

  test('the notices are told apart although their texts overlap', () => {
    assert.equal(classifyNotice('Please consider spreading out your free API requests more sparingly (1 request per second). … (25 requests per day) … unlock all premium endpoints').kind, 'throttled');
    assert.equal(classifyNotice('The outputsize=full parameter value is a premium feature for the TIME_SERIES_DAILY endpoint.').kind, 'plan');
    assert.equal(classifyNotice('our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans').kind, 'daily-limit');
    assert.equal(classifyNotice('Our standard API call frequency is 5 calls per minute.').retryAfterMs, 60_000);
  });

  test('a premium notice fails once with a configuration message, and opens no breaker', async () => {
    server.on('GET', '/query', { fixture: 'alphavantage-information-premium.json' });
    // A free key configured as premium: the first request is refused as a premium feature.
    const p = new AlphaVantageProvider({ ...opts(), apiKey: 'AVKEY123456', plan: 'premium' });
    const s = await fetchMarketData({ date: '2024-03-15', symbols: ['IBM', 'MSFT'], provider: p, backfillDays: 10 });
    assert.equal(server.requests.length, 1, 'not retried, and MSFT not even asked: waiting cannot fix a plan');
    assert.deepEqual(s.missing, ['IBM', 'MSFT']);
    assert.match(s.stopped ?? '', /a premium feature was asked of a free key .*leave ALPHAVANTAGE_PLAN=free/);
    assert.equal(p.http.breaker.state, 'closed', 'a plan answer is not an outage');
  });

  test('the daily cap mid-batch keeps the bars already fetched and stops for the day', async () => {
    server.on('GET', '/query', { fixture: 'alphavantage-daily-IBM.json' }, { fixture: 'alphavantage-information-daily.json' });
    const p = new AlphaVantageProvider({ ...opts(), apiKey: 'AVKEY123456' });
    const s = await fetchMarketData({ date: '2024-03-15', symbols: ['IBM', 'MSFT', 'AAPL'], provider: p, backfillDays: 10 });
    assert.equal(server.requests.length, 2, 'AAPL is not asked after the cap');
    assert.deepEqual(s.missing, ['MSFT', 'AAPL']);
    assert.match(s.missingWhy.AAPL!, /daily cap reached, no more requests until tomorrow/);
    assert.equal((await readBars(['IBM'], '2024-03-15', '2024-03-15')).get('IBM')?.length, 1, 'IBM, fetched first, is stored');
  });

  test('an unknown symbol (Error Message) is named missing; the batch goes on', async () => {
    server.on('GET', '/query', { fixture: 'alphavantage-error-message.json' }, { fixture: 'alphavantage-daily-IBM.json' });
    const p = new AlphaVantageProvider({ ...opts(), apiKey: 'AVKEY123456' });
    const s = await fetchMarketData({ date: '2024-03-15', symbols: ['XXXX', 'IBM'], provider: p, backfillDays: 10 });
    assert.deepEqual(s.missing, ['XXXX']);
    assert.match(s.missingWhy.XXXX!, /no such symbol: Invalid API call/);
    assert.equal((await readBars(['IBM'], '2024-03-15', '2024-03-15')).get('IBM')?.length, 1);
  });

  test('premium: the adjusted endpoint, split-adjusted here with its split coefficients (NVDA 10-for-1, 2024-06-10)', async () => {
    server.on('GET', '/query', { fixture: 'alphavantage-daily-adjusted-NVDA-split.json' });
    const p = new AlphaVantageProvider({ ...opts(), apiKey: 'AVKEY123456', plan: 'premium' });
    const bars = await p.getDailyBars(['NVDA'], '2024-06-06', '2024-06-11');
    assert.equal(server.requests[0]!.query.get('function'), 'TIME_SERIES_DAILY_ADJUSTED');
    const byDate = Object.fromEntries(bars.map((b) => [b.date, b]));
    assert.ok(Math.abs(byDate['2024-06-07']!.close - 120.888) < 1e-9, 'before the split: ÷10');
    assert.equal(byDate['2024-06-07']!.volume, 412_385_800, '×10');
    assert.equal(byDate['2024-06-10']!.close, 121.79, 'from the split day on: as traded');
    assert.deepEqual(p.contract('NVDA'), { provider: 'alphavantage', feed: 'consolidated', adjustment: 'split' });
    assert.equal(applySplits([{ date: '2024-01-02', open: 4, high: 4, low: 4, close: 4, volume: 1, split: 1 }, { date: '2024-01-03', open: 2, high: 2, low: 2, close: 2, volume: 2, split: 2 }])[0]!.close, 2);
  });
});

describe('indices, unknown symbols and grouped payloads', () => {
  test("Polygon's documented grouped example: each ticker validated alone (KIMpL kept out of our format, not failing the day), decimal volumes kept", async () => {
    server.on('GET', '/v2/aggs/grouped/locale/us/market/stocks/2020-10-14', { fixture: 'polygon-grouped-2020-10-14-docs.json' });
    const p = new PolygonProvider({ ...opts(), apiKey: 'pk' });
    const all = await p.getGroupedDaily('2020-10-14');
    assert.deepEqual(all.map((b) => b.symbol), ['TANH', 'VSAT']);
    assert.equal(all[0]!.volume, 25933.6);
  });

  test('a batch with an index and an unknown symbol stores the others; SPX comes from SPY and every post says so', async () => {
    server.on('GET', '/v2/aggs/grouped/locale/us/market/stocks/2024-03-15', { fixture: 'polygon-grouped-2024-03-15.json' });
    const p = new PolygonProvider({ ...opts(), apiKey: 'pk', indices: false });
    const s = await fetchMarketData({ date: '2024-03-15', symbols: ['SPX', 'AAPL', 'NOPE'], provider: p, backfillDays: 0 });
    assert.deepEqual(s.missing, ['NOPE']);
    assert.equal((await readBars(['SPX'], '2024-03-15', '2024-03-15')).get('SPX')?.[0]?.close, 509.83, "SPY's close");
    const c = await SeriesContractDoc.findById('SPX').lean();
    assert.equal(c?.source, 'SPY');
    assert.equal(c?.proxy, true);
    assert.match(fetchSummaryPost(s).fields!.find((f) => f.name === 'Series')!.value, /SPX is fed from SPY \(an ETF tracking it\)/);
  });

  test('with an indices plan SPX is asked as I:SPX; a 403 for it names the plan and the others are stored', async () => {
    server.on('GET', '/v2/aggs/grouped/locale/us/market/stocks/2024-03-15', { fixture: 'polygon-grouped-2024-03-15.json' });
    server.on('GET', '/v2/aggs/ticker/I:SPX/range/1/day/2024-03-15/2024-03-15', { status: 403, fixture: 'polygon-403-not-authorized.json' });
    const p = new PolygonProvider({ ...opts(), apiKey: 'pk', indices: true });
    const s = await fetchMarketData({ date: '2024-03-15', symbols: ['SPX', 'AAPL'], provider: p, backfillDays: 0 });
    assert.deepEqual(s.missing, ['SPX']);
    assert.match(s.missingWhy.SPX!, /HTTP 403: You are not entitled to this data.*leave POLYGON_INDICES=false to use SPY/);
    assert.equal((await readBars(['AAPL'], '2024-03-15', '2024-03-15')).get('AAPL')?.[0]?.close, 172.62);
  });

  test("Alpaca's free plan refusing recent SIP data is a plan error naming what the plan serves", async () => {
    server.on('GET', '/v2/stocks/bars', { status: 403, fixture: 'alpaca-403-recent-sip.json' });
    const p = new AlpacaProvider({ ...opts(), keyId: 'k', secretKey: 's', feed: 'sip' });
    const s = await fetchMarketData({ date: '2024-03-15', symbols: ['AAPL'], provider: p, backfillDays: 0 });
    assert.match(s.stopped ?? '', /HTTP 403: subscription does not permit querying recent SIP data \(not in your Alpaca data plan: the free plan serves SIP bars older than 15 minutes/);
    assert.equal(server.requests.length, 1);
  });

  test('an invalid symbol in an Alpaca group: the group is asked one by one, only that symbol is missing', async () => {
    server.on('GET', '/v2/stocks/bars', { status: 400, fixture: 'alpaca-400-invalid-symbol.json' }, { fixture: 'alpaca-bars-page2.json' }, { status: 400, fixture: 'alpaca-400-invalid-symbol.json' });
    const p = new AlpacaProvider({ ...opts(), keyId: 'k', secretKey: 's', feed: 'sip', now: () => Date.parse('2024-03-14T12:00:00Z') });
    const notes = { missing: new Map<string, string>() };
    const bars = await p.getDailyBars(['MSFT', 'BRK/B'], '2024-03-13', '2024-03-13', notes);
    assert.deepEqual(bars.map((b) => `${b.symbol} ${b.close}`), ['MSFT 415.1']);
    assert.deepEqual([...notes.missing.keys()], ['BRK/B']);
  });

  test('next_url: followed on polygon.io and massive.com over https only', () => {
    const here = 'http://127.0.0.1:1';
    assert.equal(nextUrlAllowed(new URL('https://api.massive.com/v2/aggs/ticker/AAPL/range/1/day/1/2?cursor=x'), here), true);
    assert.equal(nextUrlAllowed(new URL('https://api.polygon.io/v2/aggs?cursor=x'), here), true);
    assert.equal(nextUrlAllowed(new URL('http://api.polygon.io/v2/aggs'), here), false, 'not in clear text');
    assert.equal(nextUrlAllowed(new URL('https://polygon.io.evil.example/v2'), here), false);
    assert.equal(nextUrlAllowed(new URL('https://evilmassive.com/v2'), here), false);
    assert.equal(nextUrlAllowed(new URL(`${here}/v2/next`), here), true, 'the configured host itself');
  });
});

describe('one contract per series', () => {
  test('a failover to a provider that cannot match the series is refused, named, and never mixed in', async () => {
    server.on('GET', /^\/v2\/aggs\/grouped\//, { status: 500, json: { status: 'ERROR', error: 'internal error' } });
    server.on('GET', '/query', { fixture: 'alphavantage-daily-IBM.json' });
    const polygon = new PolygonProvider({ ...opts(), apiKey: 'pk', retry: { attempts: 1, baseMs: 1, maxMs: 1, maxRetryAfterMs: 1 } });
    const av = new AlphaVantageProvider({ ...opts(), apiKey: 'AVKEY123456' });
    // IBM's series is split-adjusted consolidated data from Polygon.
    await upsertBars([{ symbol: 'IBM', date: '2024-03-14', open: 193, high: 194, low: 191, close: 193.43, volume: 1, synthetic: false }], 'polygon');
    await SeriesContractDoc.create({ _id: 'IBM', provider: 'polygon', feed: 'consolidated', adjustment: 'split', policyMet: true, since: '2024-03-14', updatedAt: new Date() });
    const s = await fetchMarketData({ date: '2024-03-15', symbols: ['IBM'], provider: new FailoverProvider(polygon, av, () => undefined) });
    assert.deepEqual(s.servedBy, ['alphavantage']);
    assert.deepEqual(s.refused.map((r) => r.symbol), ['IBM']);
    assert.match(s.refused[0]!.reason, /stored series is polygon consolidated split-adjusted; alphavantage offers alphavantage consolidated unadjusted \(split-adjusted ≠ unadjusted\)/);
    assert.equal((await readBars(['IBM'], '2024-03-15', '2024-03-15')).get('IBM')?.length, 0, 'not stored');
    assert.equal(s.inserted + s.updated, 0);
    assert.match((await SeriesContractDoc.findById('IBM').lean())?.lastRefusal?.reason ?? '', /split-adjusted ≠ unadjusted/);
    assert.match(fetchSummaryPost(s).fields!.find((f) => f.name === 'Refused (would mix two kinds of series)')!.value, /^IBM: the stored series/);
    const { getHealth } = await import('../../src/health/health-service.js');
    const health = await getHealth({ jobs: new Map(), databaseKind: 'test', schedulerRunning: false, startedAt: new Date() });
    assert.equal(health.series.policyMet, 1);
    assert.match(health.series.refusals[0] ?? '', /^IBM 2024-03-15: the stored series is polygon/);
  });

  test("a split (AAPL 4-for-1, 2020-08-31) seen in yesterday's re-served bar re-fetches the history once and says so", async () => {
    const old = [
      { symbol: 'AAPL', date: '2020-08-27', open: 508.57, high: 509.94, low: 495.33, close: 500.04, volume: 38888096, synthetic: false },
      { symbol: 'AAPL', date: '2020-08-28', open: 504.05, high: 505.77, low: 498.31, close: 499.23, volume: 46907479, synthetic: false },
    ];
    await upsertBars(old, 'polygon');
    const adj = (b: (typeof old)[number]) => ({ T: 'AAPL', o: b.open / 4, h: b.high / 4, l: b.low / 4, c: b.close / 4, v: b.volume * 4, t: Date.parse(`${b.date}T20:00:00Z`) });
    const day31 = { T: 'AAPL', o: 127.58, h: 131, l: 126, c: 129.04, v: 225702700, t: Date.parse('2020-08-31T20:00:00Z') };
    server.on('GET', '/v2/aggs/grouped/locale/us/market/stocks/2020-08-28', { json: { status: 'OK', adjusted: true, results: [adj(old[1]!)] } });
    server.on('GET', '/v2/aggs/grouped/locale/us/market/stocks/2020-08-31', { json: { status: 'OK', adjusted: true, results: [day31] } });
    server.on('GET', /^\/v2\/aggs\/ticker\/AAPL\/range\//, { json: { status: 'OK', ticker: 'AAPL', adjusted: true, results: [...old.map(adj), day31].map(({ T: _t, ...r }) => r) } });
    const p = new PolygonProvider({ ...opts(), apiKey: 'pk' });
    const s = await fetchMarketData({ date: '2020-08-31', symbols: ['AAPL'], provider: p, backfillDays: 10 });
    assert.deepEqual(s.splits.map((x) => `${x.symbol} ${x.ratio} ${x.date} ${x.barsReplaced}`), ['AAPL 4 2020-08-28 3']);
    const after = (await readBars(['AAPL'], '2020-08-27', '2020-08-31')).get('AAPL')!;
    assert.deepEqual(after.map((b) => b.close), [125.01, 124.8075, 129.04], 'the whole history is split-adjusted now, not only the re-served day');
    assert.match(fetchSummaryPost(s).fields!.find((f) => f.name === 'Splits')!.value, /AAPL 4-for-1 after 2020-08-28: history re-fetched \(3 bars\)/);
    assert.equal((await SplitEvent.findById('AAPL|2020-08-28').lean())?.status, 'done');

    const again = await fetchMarketData({ date: '2020-08-31', symbols: ['AAPL'], provider: p, backfillDays: 10 });
    assert.deepEqual(again.splits, [], 'once');
    // One per-ticker request for the update (two days of one symbol: cheaper than two grouped days), one for the history.
    assert.equal(server.requestsTo(/^\/v2\/aggs\/ticker\//).length, 2, 'the history was fetched once');
    assert.equal(again.inserted + again.updated, 0);
  });

  test('split ratios: n-for-1, 1-for-n and 3-for-2 are recognised; a late print or a correction is not a split', () => {
    assert.equal(splitRatio(4.0), 4);
    assert.equal(splitRatio(0.1003), 0.1);
    assert.equal(splitRatio(1.5), 1.5);
    assert.equal(splitRatio(1.03), undefined);
    assert.equal(splitRatio(0.2352), undefined, 'a made-up 4-for-17 is not a split');
  });
});
