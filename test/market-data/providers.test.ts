import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { ApiUsage } from '../../src/db/models/api-usage.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { countBars, readBars } from '../../src/market-data/bar-store.js';
import type { ProviderHttpOptions } from '../../src/market-data/http/provider-http.js';
import { ProviderError } from '../../src/market-data/provider.js';
import { AlpacaProvider } from '../../src/market-data/providers/alpaca.js';
import { AlphaVantageProvider } from '../../src/market-data/providers/alphavantage.js';
import { PolygonProvider } from '../../src/market-data/providers/polygon.js';
import { fetchMarketData } from '../../src/market-data/fetch-service.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';
import { manualClock } from '../helpers/replay-server.js';
import { useReplayServer } from '../helpers/use-replay-server.js';

useTestDatabase('providers');

const server = useReplayServer();
beforeEach(clearCollections);

const KEY = 'pk_test_9f8e7d6c5b4a';

function common(overrides: Partial<ProviderHttpOptions> = {}) {
  const clock = manualClock();
  return {
    clock,
    opts: {
      baseUrl: server.url,
      timeoutMs: 2000,
      limits: { perMinute: 600, perDay: null },
      retry: { attempts: 3, baseMs: 500, maxMs: 8000, maxRetryAfterMs: 60_000 },
      breaker: { threshold: 3, coolDownMs: 60_000 },
      random: () => 0.5,
      clock,
      ...overrides,
    },
  };
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

const GROUPED = '/v2/aggs/grouped/locale/us/market/stocks/2024-03-15';

describe('Polygon', () => {
  test('grouped daily: one request for the whole market, the key in a header (never the URL), only the asked symbols', async () => {
    server.on('GET', GROUPED, { fixture: 'polygon-grouped-2024-03-15.json' });
    const p = new PolygonProvider({ ...common().opts, apiKey: KEY });
    const bars = await p.getGroupedDaily('2024-03-15', ['AAPL', 'MSFT', 'SPY', 'NVDA']);
    assert.equal(server.requests.length, 1);
    const req = server.requests[0]!;
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.ok(![...req.query.values()].some((v) => v.includes(KEY)), 'the key is not a query parameter');
    assert.equal(req.query.get('adjusted'), 'true');
    assert.deepEqual(bars.map((b) => b.symbol).sort(), ['AAPL', 'MSFT', 'SPY'], 'ZVZZT, IBM, BRK.B are outside the list; NVDA is absent');
    const aapl = bars.find((b) => b.symbol === 'AAPL')!;
    assert.deepEqual(aapl, { symbol: 'AAPL', date: '2024-03-15', open: 171.17, high: 172.62, low: 170.285, close: 172.62, volume: 121752699, synthetic: false });
  });

  test('an empty day (a holiday) is an empty list, not an error', async () => {
    server.on('GET', '/v2/aggs/grouped/locale/us/market/stocks/2024-03-29', { fixture: 'polygon-grouped-2024-03-29-holiday.json' });
    const p = new PolygonProvider({ ...common().opts, apiKey: KEY });
    assert.deepEqual(await p.getGroupedDaily('2024-03-29', ['AAPL']), []);
  });

  test('429 with Retry-After: waits what the server asked, then succeeds', async () => {
    server.on('GET', GROUPED, { status: 429, headers: { 'retry-after': '7' }, fixture: 'polygon-429.json' }, { fixture: 'polygon-grouped-2024-03-15.json' });
    const { clock, opts } = common();
    const p = new PolygonProvider({ ...opts, apiKey: KEY });
    const bars = await p.getGroupedDaily('2024-03-15', ['AAPL']);
    assert.equal(bars.length, 1);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(clock.slept, [7000], 'Retry-After 7 s beats the 375 ms backoff');
  });

  test('a Retry-After longer than we are willing to wait fails at once, naming the wait', async () => {
    server.on('GET', GROUPED, { status: 429, headers: { 'retry-after': '3600' }, fixture: 'polygon-429.json' });
    const p = new PolygonProvider({ ...common().opts, apiKey: KEY });
    const err = await rejection(p.getGroupedDaily('2024-03-15', ['AAPL']));
    assert.equal(err.kind, 'throttled');
    assert.match(err.message, /^polygon grouped: HTTP 429: You've exceeded the maximum requests per minute.*Retry-After 3600 s is longer than we wait/);
    assert.equal(server.requests.length, 1);
  });

  test('500s are retried with exponential backoff and jitter until the attempts run out', async () => {
    server.on('GET', GROUPED, { status: 500, text: 'upstream exploded' }, { status: 502, text: '<html>bad gateway</html>' }, { fixture: 'polygon-grouped-2024-03-15.json' });
    const { clock, opts } = common();
    const p = new PolygonProvider({ ...opts, apiKey: KEY });
    assert.equal((await p.getGroupedDaily('2024-03-15', ['SPY'])).length, 1);
    assert.deepEqual(clock.slept, [375, 750], 'base 500 ms doubling, half of each step random (0.5 here)');

    server.reset();
    server.on('GET', GROUPED, { status: 503, text: 'unavailable' });
    const err = await rejection(p.getGroupedDaily('2024-03-15', ['SPY']));
    assert.equal(err.kind, 'server');
    assert.equal(err.message, 'polygon grouped: HTTP 503: unavailable');
    assert.equal(server.requests.length, 3, 'three attempts in all');
    assert.equal(p.http.breaker.snapshot().consecutiveFailures, 1, 'one failed request counts once for the breaker');
  });

  test('a request that gets no answer in time is a timeout, retried', async () => {
    server.on('GET', GROUPED, { delayMs: 1500, fixture: 'polygon-grouped-2024-03-15.json' });
    const p = new PolygonProvider({ ...common({ timeoutMs: 150, retry: { attempts: 2, baseMs: 10, maxMs: 10, maxRetryAfterMs: 0 } }).opts, apiKey: KEY });
    const err = await rejection(p.getGroupedDaily('2024-03-15', ['SPY']));
    assert.equal(err.kind, 'timeout');
    assert.equal(err.message, 'polygon grouped: no answer within 150 ms');
    assert.equal(server.requests.length, 2);
  });

  test('malformed JSON and a wrong field are errors naming provider, endpoint and field; nothing is stored', async () => {
    server.on('GET', GROUPED, { text: '{"status":"OK","results":[{"T":"AAPL","o":171.1' });
    const p = new PolygonProvider({ ...common().opts, apiKey: KEY });
    const bad = await rejection(fetchMarketData({ date: '2024-03-15', symbols: ['AAPL', 'MSFT'], provider: p, backfillDays: 0 }));
    assert.equal(bad.kind, 'payload');
    assert.match(bad.message, /^polygon grouped: malformed JSON in the response \(\{"status":"OK"/);
    assert.equal(server.requests.length, 1, 'a malformed body is not retried');

    server.reset();
    server.on('GET', GROUPED, { fixture: 'polygon-grouped-bad-field.json' });
    const wrong = await fetchMarketData({ date: '2024-03-15', symbols: ['AAPL', 'MSFT'], provider: p, backfillDays: 0 });
    assert.deepEqual(wrong.missing, ['MSFT'], 'each ticker is validated on its own: the good AAPL row is kept');
    assert.equal(wrong.missingWhy.MSFT, 'polygon grouped: MSFT field "results.1.c" must be a number');
    assert.equal(await countBars(), 1);
  });

  test('per-ticker backfill follows next_url across partial pages, on the same host only', async () => {
    server.on('GET', '/v2/aggs/ticker/AAPL/range/1/day/2024-03-11/2024-03-15', { fixture: 'polygon-aggs-AAPL-page1.json' });
    server.on('GET', '/v2/aggs/ticker/AAPL/range/1/day/1710388800000/2024-03-15', { fixture: 'polygon-aggs-AAPL-page2.json' });
    const p = new PolygonProvider({ ...common().opts, apiKey: KEY });
    const bars = await p.getDailyBars(['AAPL'], '2024-03-11', '2024-03-15');
    assert.deepEqual(bars.map((b) => `${b.date} ${b.close}`), ['2024-03-11 172.75', '2024-03-12 173.23', '2024-03-13 171.13', '2024-03-14 173', '2024-03-15 172.62']);
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[1]!.query.get('cursor'), 'bGltaXQ9MyZzb3J0PWFzYw');
    assert.equal(server.requests[1]!.headers.authorization, `Bearer ${KEY}`);

    server.reset();
    server.on('GET', '/v2/aggs/ticker/AAPL/range/1/day/2024-03-11/2024-03-15', { json: { status: 'OK', results: [], next_url: 'https://evil.example/v2/steal' } });
    const err = await rejection(p.getDailyBars(['AAPL'], '2024-03-11', '2024-03-15'));
    assert.match(err.message, /next_url points to an unknown host \(evil\.example\); only polygon\.io and massive\.com are followed/);
    assert.equal(server.requests.length, 1, 'nothing was sent there');
  });

  test('401 is not retried and its message is passed on', async () => {
    server.on('GET', GROUPED, { status: 401, json: { status: 'ERROR', request_id: 'x', error: 'Unknown API Key' } });
    const p = new PolygonProvider({ ...common().opts, apiKey: KEY });
    const err = await rejection(p.getGroupedDaily('2024-03-15'));
    assert.equal(err.message, 'polygon grouped: HTTP 401: Unknown API Key');
    assert.equal(err.kind, 'http');
    assert.equal(server.requests.length, 1);
  });
});

describe('Alpaca', () => {
  test('multi-symbol bars across page tokens, keys in headers, New York dates', async () => {
    server.on('GET', '/v2/stocks/bars', { fixture: 'alpaca-bars-page1.json' }, { fixture: 'alpaca-bars-page2.json' });
    const now = Date.parse('2024-03-13T20:05:00Z'); // 16:05 New York: the last 16 minutes are not asked for
    const p = new AlpacaProvider({ ...common().opts, keyId: 'AKTESTKEYID01', secretKey: 'secret-test-abcdef', feed: 'sip', now: () => now });
    const bars = await p.getDailyBars(['AAPL', 'MSFT'], '2024-03-12', '2024-03-13');
    assert.deepEqual(bars.map((b) => `${b.symbol} ${b.date} ${b.close}`).sort(), ['AAPL 2024-03-12 173.23', 'AAPL 2024-03-13 171.13', 'MSFT 2024-03-12 415.28', 'MSFT 2024-03-13 415.1']);
    assert.equal(server.requests.length, 2);
    const [first, second] = server.requests;
    assert.equal(first!.query.get('symbols'), 'AAPL,MSFT');
    assert.equal(first!.query.get('timeframe'), '1Day');
    assert.equal(first!.query.get('adjustment'), 'split', 'splits only: "all" would fold dividends in');
    assert.equal(first!.query.get('feed'), 'sip');
    assert.equal(first!.query.get('end'), '2024-03-13T19:49:00.000Z', 'an instant 16 minutes old, never a bare date that reaches into the last 15');
    assert.deepEqual(p.contract('AAPL'), { provider: 'alpaca', feed: 'consolidated', adjustment: 'split' });
    assert.deepEqual(new AlpacaProvider({ ...common().opts, keyId: 'k', secretKey: 's', feed: 'iex' }).contract('SPX'), { provider: 'alpaca', feed: 'iex', adjustment: 'split', source: 'SPY', proxy: true });
    assert.equal(first!.query.get('page_token'), null);
    assert.equal(second!.query.get('page_token'), 'TVNGVHwyMDI0LTAzLTEzVDA0OjAwOjAwWg==');
    assert.equal(first!.headers['apca-api-key-id'], 'AKTESTKEYID01');
    assert.equal(first!.headers['apca-api-secret-key'], 'secret-test-abcdef');
  });

  test('no bars for the range is an empty list', async () => {
    server.on('GET', '/v2/stocks/bars', { fixture: 'alpaca-bars-empty.json' });
    const p = new AlpacaProvider({ ...common().opts, keyId: 'AKTESTKEYID01', secretKey: 'secret-test-abcdef', feed: 'iex' });
    assert.deepEqual(await p.getDailyBars(['AAPL'], '2024-03-29', '2024-03-29'), []);
  });
});

describe('Alpha Vantage', () => {
  test('TIME_SERIES_DAILY: numbers sent as strings become numbers, only the asked range is kept', async () => {
    server.on('GET', '/query', { fixture: 'alphavantage-daily-IBM.json' });
    const p = new AlphaVantageProvider({ ...common().opts, apiKey: 'AVKEY123456' });
    const bars = await p.getDailyBars(['IBM'], '2024-03-13', '2024-03-15');
    assert.deepEqual(bars.map((b) => `${b.date} ${b.open} ${b.close} ${b.volume}`).sort(), ['2024-03-13 198 196.7 4033186', '2024-03-14 197.55 193.43 4201283', '2024-03-15 191.99 191.07 8828202']);
    const q = server.requests[0]!.query;
    assert.equal(q.get('function'), 'TIME_SERIES_DAILY');
    assert.equal(q.get('outputsize'), 'compact', 'a free key gets the latest 100 days; full is premium');
  });

  test('the per-minute note inside an HTTP 200 waits a minute and is retried; the daily cap is not retried', async () => {
    server.on('GET', '/query', { fixture: 'alphavantage-note.json' }, { fixture: 'alphavantage-daily-IBM.json' });
    const p = new AlphaVantageProvider({ ...common().opts, apiKey: 'AVKEY123456' });
    assert.equal((await p.getDailyBars(['IBM'], '2024-03-15', '2024-03-15')).length, 1);
    assert.equal(server.requests.length, 2);

    server.reset();
    server.on('GET', '/query', { fixture: 'alphavantage-information-daily.json' });
    const err = await rejection(p.getDailyBars(['IBM'], '2024-03-15', '2024-03-15'));
    assert.equal(err.kind, 'daily-limit');
    assert.match(err.message, /^alphavantage TIME_SERIES_DAILY: daily cap reached, no more requests until tomorrow: We have detected your API key/);
    assert.equal(server.requests.length, 1);
  });

  test('the daily limit is counted in MongoDB: refused at the limit without a request; one 80 % alert', async () => {
    server.on('GET', '/query', { fixture: 'alphavantage-daily-IBM.json' });
    const p = new AlphaVantageProvider({
      ...common({ limits: { perMinute: 600, perDay: 5 }, events: { usageHigh: (t) => alerts.push(`${t.provider} ${t.calls}/${t.limit}`) } }).opts,
      apiKey: 'AVKEY123456',
    });
    const alerts: string[] = [];
    for (let i = 0; i < 5; i++) await p.getDailyBars(['IBM'], '2024-03-15', '2024-03-15');
    const err = await rejection(p.getDailyBars(['IBM'], '2024-03-15', '2024-03-15'));
    assert.equal(err.kind, 'daily-limit');
    assert.match(err.message, /daily limit of 5 requests reached/);
    assert.equal(server.requests.length, 5, 'the sixth request never left');
    const usage = await ApiUsage.find({ provider: 'alphavantage' }).lean();
    assert.equal(usage.length, 1);
    assert.equal(usage[0]!.calls, 5);
    assert.deepEqual(alerts, ['alphavantage 4/5'], 'fires once, at the request that reaches 80 %');
    assert.equal(p.http.breaker.state, 'closed', 'our own limit is not the provider failing');
  });
});

describe('incremental update through a real provider', () => {
  test("the day's grouped request plus one for yesterday brings the universe up to date and corrects yesterday; a rerun changes nothing", async () => {
    server.on('GET', GROUPED, { fixture: 'polygon-grouped-2024-03-15.json' });
    server.on('GET', '/v2/aggs/grouped/locale/us/market/stocks/2024-03-14', { fixture: 'polygon-grouped-2024-03-14.json' });
    server.on('GET', /^\/v2\/aggs\/ticker\//, { fixture: 'polygon-aggs-AAPL-page2.json' });
    const p = new PolygonProvider({ ...common().opts, apiKey: KEY });
    // AAPL, MSFT and SPY are stored through the 14th; the 15th is the missing day.
    const { upsertBars } = await import('../../src/market-data/bar-store.js');
    await upsertBars(
      ['AAPL', 'MSFT', 'SPY'].map((symbol) => ({ symbol, date: '2024-03-14', open: 100, high: 101, low: 99, close: 100, volume: 1, synthetic: false })),
      'polygon',
    );
    const s = await fetchMarketData({ date: '2024-03-15', symbols: ['AAPL', 'MSFT', 'SPY'], provider: p });
    assert.deepEqual(server.requests.map((r) => r.path), ['/v2/aggs/grouped/locale/us/market/stocks/2024-03-14', GROUPED]);
    assert.equal(s.requests, 2);
    assert.equal(s.inserted, 3);
    assert.equal(s.updated, 2, "yesterday's AAPL and MSFT bars, stored early, are replaced by the settled ones");
    assert.equal((await readBars(['MSFT'], '2024-03-14', '2024-03-14')).get('MSFT')?.[0]?.close, 425.22);
    assert.equal((await readBars(['SPY'], '2024-03-14', '2024-03-14')).get('SPY')?.[0]?.close, 100, 'a symbol not re-served keeps its bar');
    assert.deepEqual(s.servedBy, ['polygon']);
    assert.equal((await readBars(['MSFT'], '2024-03-15', '2024-03-15')).get('MSFT')?.[0]?.close, 416.42);
    const again = await fetchMarketData({ date: '2024-03-15', symbols: ['AAPL', 'MSFT', 'SPY'], provider: p });
    assert.equal(server.requests.length, 3, 'the rerun asks for the date itself once more (to catch corrections), nothing older');
    assert.equal(server.requests[2]!.path, GROUPED);
    assert.equal(again.inserted + again.updated, 0);
    assert.equal(await Outbox.countDocuments(), 0);
  });
});

describe('failover', () => {
  test('the primary fails, its breaker opens, the secondary serves and ops are told once', async () => {
    const { createProvider } = await import('../../src/market-data/providers.js');
    const { ProviderStatus } = await import('../../src/db/models/provider-status.js');
    const { upsertBars } = await import('../../src/market-data/bar-store.js');
    const { testEnv } = await import('../helpers/db.js');
    const env = testEnv({
      MARKET_DATA_PROVIDER: 'polygon', POLYGON_API_KEY: KEY, POLYGON_BASE_URL: server.url, POLYGON_CALLS_PER_MIN: '600',
      MARKET_DATA_SECONDARY: 'alpaca', ALPACA_KEY_ID: 'AKTESTKEYID01', ALPACA_SECRET_KEY: 'secret-test-abcdef', ALPACA_DATA_URL: server.url,
      PROVIDER_RETRIES: '0', PROVIDER_BREAKER_FAILURES: '2', PROVIDER_BREAKER_COOLDOWN_MS: '600000',
    });
    server.on('GET', /^\/v2\/aggs\/grouped\//, { status: 500, json: { status: 'ERROR', error: 'internal error' } });
    const pages = [{ fixture: 'alpaca-bars-page1.json' }, { fixture: 'alpaca-bars-page2.json' }];
    server.on('GET', '/v2/stocks/bars', ...pages, ...pages, ...pages, ...pages);
    await upsertBars(['AAPL', 'MSFT'].map((symbol) => ({ symbol, date: '2024-03-12', open: 1, high: 1, low: 1, close: 1, volume: 1, synthetic: false })), 'test');
    const provider = createProvider(env);
    const polygonCalls = () => server.requestsTo(/^\/v2\/aggs\/grouped\//).length;

    const first = await fetchMarketData({ date: '2024-03-13', symbols: ['AAPL', 'MSFT'], provider });
    assert.deepEqual(first.servedBy, ['alpaca']);
    assert.deepEqual(first.missing, []);
    assert.equal((await readBars(['MSFT'], '2024-03-13', '2024-03-13')).get('MSFT')?.[0]?.close, 415.1, "the secondary's bar is stored");
    assert.equal(polygonCalls(), 2, 'yesterday (re-asked) and today each failed once: the breaker opens (threshold 2)');

    await fetchMarketData({ date: '2024-03-13', symbols: ['AAPL', 'MSFT'], provider });
    assert.equal(polygonCalls(), 2, 'breaker open: the primary is not asked');
    const third = await fetchMarketData({ date: '2024-03-13', symbols: ['AAPL', 'MSFT'], provider });
    assert.equal(polygonCalls(), 2, 'breaker open: the primary is not even asked');
    assert.deepEqual(third.servedBy, ['alpaca']);
    assert.equal(third.inserted + third.updated, 0, 'nothing doubled');

    const posts = await Outbox.find({ idempotencyKey: /^provider-failover:polygon:/ }).lean();
    assert.equal(posts.length, 1, 'one notice a day, not one per failure');
    assert.match(String((posts[0]!.post as { title: string }).title), /polygon failed, alpaca is serving/);
    assert.match(String((posts[0]!.post as { description: string }).description), /HTTP 500: internal error|circuit breaker open/);
    let status = null;
    for (let i = 0; i < 50 && status?.state !== 'open'; i++) {
      status = await ProviderStatus.findOne({ provider: 'polygon' }).lean();
      if (status?.state !== 'open') await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status?.state, 'open', 'the open breaker is recorded for /health');
    assert.equal(status?.consecutiveFailures, 2);

    const { getHealth } = await import('../../src/health/health-service.js');
    const health = await getHealth({ jobs: new Map(), databaseKind: 'test', schedulerRunning: false, startedAt: new Date(), providers: { primary: 'polygon', secondary: 'alpaca' } });
    const polygon = health.providers.find((p) => p.id === 'polygon');
    assert.equal(polygon?.breaker, 'open');
    assert.equal(polygon?.role, 'primary');
    assert.equal(polygon?.callsToday, 2, 'requests counted per provider per day');
    assert.equal(health.providers.find((p) => p.id === 'alpaca')?.callsToday, 8, 'two days, then one day twice: two pages each');
    assert.ok(health.problems.some((p) => /^polygon circuit breaker open/.test(p)), health.problems.join('; '));
    assert.equal(health.ok, false);
  });
});
