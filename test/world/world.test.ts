import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { alpacaCryptoPage, parseAlpacaCryptoBars, parsePolygonGroupedFx, polygonGroupedPage } from '../../src/world/parsers.js';
import { loadWorld, worldPairs } from '../../src/world/world-list.js';
import { LiveWorldSources } from '../../src/world/world-sources.js';
import { buildWorldBoard, worldChart, worldPost, worldView } from '../../src/world/world-service.js';
import { buildPost } from '../../src/notify/post.js';
import { testEnv, useTestDatabase } from '../helpers/db.js';
import { useReplayServer } from '../helpers/use-replay-server.js';

useTestDatabase('world');
const server = useReplayServer();
const fx = (f: string) => JSON.parse(readFileSync(new URL(`../fixtures/world/${f}`, import.meta.url), 'utf8')) as unknown;

describe('the world board', () => {
  test('the list: every market an ETF, pairs as quoted, a local index only where FRED serves one', () => {
    const w = loadWorld();
    assert.ok(w.markets.length >= 14);
    assert.deepEqual(w.markets.filter((m) => m.localIndex).map((m) => m.localIndex!.series), ['NIKKEI225']);
    assert.ok(worldPairs(w).includes('USDJPY') && worldPairs(w).includes('EURUSD'));
    assert.match(w.notServed, /No free source serves index futures/);
  });

  test('parsers: grouped forex (a bad row named, a weekend empty), crypto bars oldest first', () => {
    const r = parsePolygonGroupedFx(polygonGroupedPage.parse(fx('polygon-grouped-fx.json')), ['EURUSD', 'USDJPY']);
    assert.deepEqual(r.quotes.map((q) => [q.symbol, q.open, q.close]), [['EURUSD', 1.05252, 1.06206]]);
    assert.equal(r.problems.length, 1);
    assert.deepEqual(parsePolygonGroupedFx(polygonGroupedPage.parse(fx('polygon-grouped-fx-weekend.json')), ['EURUSD']).quotes, []);
    const c = parseAlpacaCryptoBars(alpacaCryptoPage.parse(fx('alpaca-crypto-bars.json')));
    assert.deepEqual(c.get('BTC/USD')!.map((q) => q.close), [16035.9, 29003]);
  });

  test('live sources against replayed providers: forex one request with the key in a header, crypto keyless, FRED\'s "." is no value', async () => {
    server.on('GET', '/v2/aggs/grouped/locale/global/market/fx/2022-05-04', { fixture: '../world/polygon-grouped-fx.json' });
    server.on('GET', '/v1beta3/crypto/us/bars', { fixture: '../world/alpaca-crypto-bars.json' });
    server.on('GET', '/fred/series/observations', { fixture: '../world/fred-nikkei225.json' });
    const env = testEnv({ MARKET_DATA_PROVIDER: 'polygon', POLYGON_API_KEY: 'pk-0123456789abcdef', POLYGON_BASE_URL: server.url, POLYGON_CALLS_PER_MIN: '600', ALPACA_DATA_URL: server.url, FRED_API_KEY: 'abcdefghijklmnopqrstuvwxyz012345', FRED_BASE_URL: server.url });
    const s = new LiveWorldSources(env);
    const f = await s.fx('2022-05-04', ['EURUSD']);
    assert.deepEqual(f.quotes.map((q) => q.symbol), ['EURUSD']);
    assert.equal(server.requestsTo('/v2/aggs/grouped/locale/global/market/fx/2022-05-04')[0]!.headers.authorization, 'Bearer pk-0123456789abcdef');
    const c = await s.crypto('2020-11-15', ['BTC/USD']);
    assert.equal(c.quotes.get('BTC/USD')!.length, 2);
    assert.equal(server.requestsTo('/v1beta3/crypto/us/bars')[0]!.headers['apca-api-key-id'], undefined, 'no key sent');
    const n = await s.series('NIKKEI225', '2020-03-06', '2020-03-16');
    assert.deepEqual(n.points.map((p) => p.value), [18559.63, 17431.05, null, 17002.04]);
    server.on('GET', '/v2/snapshot/locale/us/markets/stocks/tickers', { fixture: '../world/polygon-premarket-snapshot.json' });
    const pre = await s.premarket(['AAPL', 'MSFT', 'BCDA'], new Date('2020-11-12T04:00:00-05:00'), new Date('2020-11-12T09:00:00-05:00'));
    assert.deepEqual(pre.movers.map((m) => [m.symbol, +m.pct.toFixed(2)]), [['AAPL', 5.02], ['MSFT', -3.93]], 'trades since 04:00 only, biggest first; last evening\'s trade is not pre-market');
    const early = await s.premarket(['AAPL', 'MSFT'], new Date('2020-11-12T04:00:00-05:00'), new Date('2020-11-12T08:00:00-05:00'));
    assert.deepEqual(early.movers, [], 'a trade after the brief\'s clock is not seen (no look-ahead)');
    assert.equal(early.note, 'no pre-market trades yet');
    const noKeys = new LiveWorldSources(testEnv({ MARKET_DATA_PROVIDER: 'polygon', POLYGON_API_KEY: 'pk-0123456789abcdef', POLYGON_BASE_URL: server.url }));
    assert.match((await noKeys.series('DGS10', '2020-03-06', '2020-03-16')).note!, /needs FRED_API_KEY/);
  });

  test('a demo board: regions ranked by their ETFs, the dollar, crypto, what is not served said; stored for /world', async () => {
    const b = await buildWorldBoard(testEnv(), '2020-03-16');
    assert.ok(b.synthetic);
    assert.ok(b.regions.length >= 3);
    for (let i = 1; i < b.regions.length; i++) assert.ok(b.regions[i - 1]!.pct >= b.regions[i]!.pct, 'ranked');
    assert.ok(b.rows.every((r) => r.etfPct !== null), 'every ETF has its session');
    assert.ok(b.rows.every((r) => r.etfPct! < 0), 'the 16th of March 2020 was down everywhere (the demo follows the real SPX)');
    assert.ok(b.notes.some((n) => /NIKKEI225 is not on the demo/.test(n)));
    const post = buildPost(worldPost(await worldView('2020-03-16')));
    assert.match(post.description!, /Country ETFs on the US session/);
    assert.ok(post.fields.some((f) => f.name === 'Not served' && /index futures/.test(f.value)));
    const chart = await worldChart(b);
    assert.equal(chart.png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(chart.png.readUInt32BE(16), 900, '900 px wide');
    assert.equal(chart.png.readUInt32BE(20), 70 + 44 * b.rows.length + 44, 'a row per market (below the title and subtitle)');
    await assert.rejects(worldView('2020-03-13'), /No world board stored for 2020-03-13: international-markets makes it at 20:00/);
  });
});

test('company data: Polygon\'s ticker overview kept a week; the demo\'s sector from data/', async () => {
  const { refreshCompanies, companies, formatCap } = await import('../../src/world/company-data.js');
  const { CompanyInfo } = await import('../../src/db/models/company.js');
  await CompanyInfo.deleteMany({});
  server.on('GET', '/v3/reference/tickers/AAPL', { fixture: '../world/polygon-ticker-details-aapl.json' });
  const env = testEnv({ MARKET_DATA_PROVIDER: 'polygon', POLYGON_API_KEY: 'pk-0123456789abcdef', POLYGON_BASE_URL: server.url, POLYGON_CALLS_PER_MIN: '600' });
  const t0 = new Date('2026-03-10T08:00:00Z');
  assert.deepEqual(await refreshCompanies(env, ['AAPL'], t0), { fetched: 1, cached: 0, failed: [] });
  assert.deepEqual(await refreshCompanies(env, ['AAPL'], new Date(t0.getTime() + 6 * 86_400_000)), { fetched: 0, cached: 1, failed: [] }, 'kept a week');
  assert.equal((await refreshCompanies(env, ['AAPL'], new Date(t0.getTime() + 8 * 86_400_000))).fetched, 1, 'asked again after it');
  assert.equal(server.requestsTo('/v3/reference/tickers/AAPL').length, 2);
  const aapl = (await companies(['AAPL'])).get('AAPL')!;
  assert.deepEqual([aapl.name, aapl.industry, formatCap(aapl.marketCap)], ['Apple Inc.', 'Electronic computers', '$2.77T']);
  await refreshCompanies(testEnv(), ['MSFT'], t0);
  const msft = (await companies(['MSFT'])).get('MSFT')!;
  assert.deepEqual([msft.sector, msft.industry, msft.marketCap, msft.source], ['Information Technology', null, null, 'data/universe.json (sector only)']);
});
