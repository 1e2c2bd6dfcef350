import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { addWatch } from '../../src/analysis/watch-service.js';
import { NewsArticle, NewsIndex, NewsUrl } from '../../src/db/models/info.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { RateSlot } from '../../src/db/models/rate-slot.js';
import { syncEconomic } from '../../src/info/calendar-service.js';
import { dayCounts, storeArticles } from '../../src/info/info-store.js';
import { newsView, syncNews } from '../../src/info/news-service.js';
import { AlphaVantageInfo, FedCalendar, FinnhubEarnings, FredCalendar, PolygonNews } from '../../src/info/providers/http-info.js';
import { ProviderError } from '../../src/market-data/provider.js';
import { fixture } from '../helpers/replay-server.js';
import { useReplayServer } from '../helpers/use-replay-server.js';
import { clearCollections, testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('info-providers');
const server = useReplayServer();
const fast = { timeoutMs: 2_000, retry: { attempts: 1, baseMs: 1, maxMs: 1, maxRetryAfterMs: 1 }, countCall: async (provider: string) => ({ provider, day: 'd', calls: 1, limit: null, crossedAlertShare: false }) };
const limits = { perMinute: 600, perDay: null };
const U = (...s: string[]) => new Set(s);

describe('information providers against replayed payloads', () => {
  beforeEach(clearCollections);

  test('Polygon news: market-wide, key in a header only, next_url followed on the same host, not to another', async () => {
    const page1 = JSON.parse(fixture('polygon-news-three-insights.json')) as Record<string, unknown>;
    page1.next_url = `${server.url}/v2/reference/news?cursor=page2`;
    const page2 = JSON.parse(fixture('polygon-news-NFLX-mock.json')) as Record<string, unknown>;
    page2.next_url = 'https://evil.example/v2/reference/news?cursor=steal';
    server.on('GET', '/v2/reference/news', { json: page1 }, { json: page2 });
    const p = new PolygonNews({ ...fast, baseUrl: server.url, apiKey: 'secret-polygon-key', limits });
    const r = await p.news(new Date('2024-06-25T00:00:00Z'), new Date('2024-06-26T00:00:00Z'), U('AAPL', 'MSFT', 'NVDA', 'NFLX'));
    assert.equal(r.requests, 2, 'two pages, then a next_url to another host is not followed');
    assert.deepEqual(r.items.map((a) => a.key).length, 2);
    assert.ok(r.problems.some((x) => x.row === 'next_url' && /evil\.example/.test(x.problem)));
    const reqs = server.requestsTo('/v2/reference/news');
    assert.equal(reqs[0]!.query.get('ticker'), null, 'market-wide: no ticker');
    assert.equal(reqs[0]!.query.get('limit'), '1000');
    assert.equal(reqs[0]!.query.get('published_utc.gte'), '2024-06-25T00:00:00Z');
    assert.equal(reqs[1]!.query.get('cursor'), 'page2');
    for (const q of reqs) {
      assert.equal(q.headers.authorization, 'Bearer secret-polygon-key');
      assert.equal(q.query.get('apiKey'), null, 'never in the URL');
    }
  });

  test("Alpha Vantage: the daily cap inside HTTP 200 is a daily-limit failure; an earnings CSV answer parses; a JSON notice where CSV was expected is classified", async () => {
    server.on('GET', '/query', { fixture: 'alphavantage-information-daily.json' });
    const av = new AlphaVantageInfo({ ...fast, baseUrl: server.url, apiKey: 'av-key', limits });
    await assert.rejects(av.news(new Date('2024-01-03T00:00:00Z'), new Date('2024-01-04T00:00:00Z'), U('BLBD')), (e: ProviderError) => e.kind === 'daily-limit');
    await assert.rejects(av.earnings('2026-02-01', '2026-03-01', U('AAPL')), (e: ProviderError) => e.kind === 'daily-limit');
    server.reset();
    server.on('GET', '/query', { text: fixture('alphavantage-earnings-7col.csv'), headers: { 'content-type': 'text/csv' } });
    const e = await av.earnings('2026-02-01', '2026-02-20', U('AAPL', 'MSFT', 'TSLA'));
    assert.deepEqual(e.items.map((x) => x.symbol), ['AAPL', 'MSFT'], 'TSLA reports after the range');
    assert.equal(server.requests[0]!.query.get('function'), 'EARNINGS_CALENDAR');
  });

  test('Finnhub: a premium 403 is a plan error naming the plan; the calendar is asked a week at a time', async () => {
    server.on('GET', '/api/v1/calendar/earnings', { status: 403, fixture: 'finnhub-403-premium.json' });
    const f = new FinnhubEarnings({ ...fast, baseUrl: server.url, apiKey: 'fh-key', limits });
    await assert.rejects(f.earnings('2020-01-27', '2020-01-31', U('AAPL')), (e: ProviderError) => e.kind === 'plan' && /don't have access/.test(e.message) && /Finnhub plan/.test(e.message));
    server.reset();
    server.on('GET', '/api/v1/calendar/earnings', { fixture: 'finnhub-earnings-calendar-docs.json' });
    const r = await f.earnings('2020-01-20', '2020-02-09', U('AAPL'));
    assert.equal(r.requests, 3, 'three 7-day windows');
    assert.deepEqual(server.requests.map((q) => [q.query.get('from'), q.query.get('to')]), [['2020-01-20', '2020-01-26'], ['2020-01-27', '2020-02-02'], ['2020-02-03', '2020-02-09']]);
    assert.equal(server.requests[0]!.headers['x-finnhub-token'], 'fh-key');
  });

  test('Finnhub: a window that comes back truncated (1,500 rows) is asked again by halves', async () => {
    const many = { earningsCalendar: Array.from({ length: 1_500 }, (_, i) => ({ date: '2020-01-28', symbol: `X${i}`, hour: 'bmo' })) };
    server.on('GET', '/api/v1/calendar/earnings', { json: many }, { fixture: 'finnhub-earnings-calendar-docs.json' });
    const f = new FinnhubEarnings({ ...fast, baseUrl: server.url, apiKey: 'fh-key', limits });
    const r = await f.earnings('2020-01-27', '2020-02-02', U('AAPL'));
    assert.equal(r.requests, 3);
    assert.deepEqual(server.requests.slice(1).map((q) => [q.query.get('from'), q.query.get('to')]), [['2020-01-27', '2020-01-30'], ['2020-01-31', '2020-02-02']]);
  });

  test('FRED: future dates asked for (include_release_dates_with_no_data); a bad key is FRED\'s own error, said plainly', async () => {
    server.on('GET', '/fred/release/dates', { json: { release_dates: [{ release_id: 10, date: '2026-12-10' }] } });
    const fred = new FredCalendar({ ...fast, baseUrl: server.url, apiKey: 'abcdefghijklmnopqrstuvwxyz012345', limits });
    const r = await fred.events('2026-12-01', '2026-12-31');
    assert.ok(r.items.some((e) => e.kind === 'cpi' && e.date === '2026-12-10' && e.time === '08:30'));
    const q = server.requests[0]!.query;
    assert.equal(q.get('include_release_dates_with_no_data'), 'true', 'without it FRED lists no future date');
    assert.equal(q.get('file_type'), 'json');
    assert.equal(q.get('sort_order'), 'asc');
    server.reset();
    server.on('GET', '/fred/release/dates', { status: 400, fixture: 'fred-400-bad-key.json' });
    await assert.rejects(fred.events('2026-12-01', '2026-12-31'), (e: ProviderError) => /api_key is not a 32 character/.test(e.message) && !e.message.includes('abcdefghij'));
  });

  test("the Fed's feed with its byte-order mark; when it has no meeting for the dates, the kept list serves and says so", async () => {
    server.on('GET', '/json/calendar.json', { text: fixture('fed-calendar-bom.json') });
    const fed = new FedCalendar({ ...fast, url: `${server.url}/json/calendar.json` });
    const r = await fed.events('2026-10-01', '2026-12-31');
    assert.deepEqual(r.items.filter((e) => e.kind === 'fomc').map((e) => e.date), ['2026-10-28', '2026-12-09']);
    const env = testEnv({ ECONOMIC_CALENDAR_PROVIDER: 'fed', FED_CALENDAR_URL: `${server.url}/json/calendar.json` });
    const jan = await syncEconomic(env, '2027-01-18');
    assert.match(jan.fomcFrom, /^kept list \(the Fed's calendar has no meeting/);
    const oct = await syncEconomic(env, '2026-10-26');
    assert.equal(oct.fomcFrom, "the Fed's calendar");
    assert.equal(oct.fomcDisagrees, null, 'the feed and the kept list agree on 2026-10-28');
  });

  test('news sync: stored once, indexed per symbol and day, the same URL from a second provider stored once; a watcher DM\'d once per article across a re-run', async () => {
    server.on('GET', '/v2/reference/news', { fixture: 'polygon-news-three-insights.json' });
    const env = testEnv({ NEWS_PROVIDER: 'polygon', POLYGON_API_KEY: 'k-0123456789', POLYGON_BASE_URL: server.url, POLYGON_CALLS_PER_MIN: '600' });
    await addWatch('200000000000000001', 'AAPL', 'volume-over', 2);
    const now = new Date('2024-06-25T18:00:00Z');
    const first = await syncNews(env, now, 'slot-1');
    assert.deepEqual([first.fetched, first.stored, first.skippedRows, first.dmsQueued], [1, 1, 1, 1]);
    const again = await syncNews(env, new Date('2024-06-25T19:00:00Z'), 'slot-2');
    assert.deepEqual([again.stored, again.dmsQueued], [0, 0], 'nothing new, nobody DM\'d twice');
    assert.equal(await NewsArticle.countDocuments({}), 1);
    const idx = await NewsIndex.findById('AAPL|2024-06').lean();
    assert.deepEqual((idx?.entries as Array<{ s: string }>).map((e) => e.s), ['positive'], "AAPL's entry carries AAPL's label");
    assert.deepEqual(((await NewsIndex.findById('MSFT|2024-06').lean())?.entries as Array<{ s: string }>).map((e) => e.s), ['negative']);
    const day = await dayCounts('2024-06-25');
    assert.deepEqual([day.total, day.bySymbol.get('AAPL'), day.bySymbol.get('MSFT')?.negative], [1, { count: 1, positive: 1, neutral: 0, negative: 0 }, 1]);
    // The same story from another provider (same URL): not a second article.
    const copy = await storeArticles([{ key: 'alpaca:1', provider: 'alpaca', id: '1', title: 'copy', summary: '', url: 'https://www.benzinga.com/news/24/06/chip-stocks-split-ai-spending/', publishedAt: now, source: 'benzinga', tickers: ['AAPL'], sentiment: {}, synthetic: false }]);
    assert.deepEqual([copy.fresh.length, await NewsUrl.countDocuments({})], [0, 1]);
    const view = await newsView('AAPL', '2024-06-20', '2024-06-26');
    assert.equal(view.articles[0]!.sentiment, 'positive');
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^news-dm:200000000000000001:/ }), 1);
    // Each request passed the gate shared by every process: one slot per request under "polygon".
    assert.equal(await RateSlot.countDocuments({ provider: 'polygon' }), 2);
  });

  test("a daily limit stops news for the day: said once in ops, what was stored kept, later syncs ask nothing", async () => {
    server.on('GET', '/query', { fixture: 'alphavantage-information-daily.json' });
    const env = testEnv({ NEWS_PROVIDER: 'alphavantage', ALPHAVANTAGE_API_KEY: 'av-0123456789', ALPHAVANTAGE_BASE_URL: server.url, ALPHAVANTAGE_CALLS_PER_MIN: '600' });
    const first = await syncNews(env, new Date('2024-01-03T17:00:00Z'), 'a');
    assert.match(first.stopped ?? '', /daily cap/);
    assert.equal(server.requests.length, 1);
    const later = await syncNews(env, new Date('2024-01-03T18:00:00Z'), 'b');
    assert.match(later.stopped ?? '', /daily cap/);
    assert.equal(server.requests.length, 1, 'the later sync asked nothing');
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^info-stopped:news:2024-01-03$/ }), 1);
  });

  test('/news refuses what it cannot answer, saying what is allowed', async () => {
    await assert.rejects(newsView('not a ticker', undefined), /is not a ticker/);
    await assert.rejects(newsView('ZZZZ', undefined), /not in the universe/);
    await assert.rejects(newsView('AAPL', '2024-01-01', '2024-06-26', 25, '2024-06-26'), /more than 31 days/);
  });
});
