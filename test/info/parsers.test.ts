import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { USUAL_TIMES } from '../../src/info/contracts.js';
import {
  avLabel, fedDays, parseAlpacaNews, parseAlphaVantageEarningsCsv, parseAlphaVantageNews, parseCsv, parseFedCalendar, parseFinnhubEarnings,
  parseFredReleaseDates, parsePolygonNews,
} from '../../src/info/parsers.js';
import { fixture } from '../helpers/replay-server.js';

const json = (name: string) => JSON.parse(fixture(name)) as Record<string, unknown[]>;
const U = (...s: string[]) => new Set(s);

describe('information parsers, on the providers\' documented payloads', () => {
  test('Polygon: the documented example keeps the insight of its ticker, with its reasoning', () => {
    const r = parsePolygonNews(json('polygon-news-listnews-example.json').results!, U('UBS'));
    assert.equal(r.items.length, 1);
    const a = r.items[0]!;
    assert.equal(a.key, 'polygon:8ec638777ca03b553ae516761c2a22ba2fdd2f37befae3ab6fdab74e9e5193eb');
    assert.equal(a.source, 'Investing.com');
    assert.equal(a.publishedAt.toISOString(), '2024-06-24T18:33:53.000Z');
    assert.equal(a.sentiment.UBS?.label, 'positive');
    assert.match(a.sentiment.UBS!.reasoning!, /underestimating the number of cuts/);
  });

  test('Polygon: an article without insights has no sentiment for any of its tickers (none is invented)', () => {
    const r = parsePolygonNews(json('polygon-news-NFLX-mock.json').results!, U('MSFT', 'NFLX', 'AMZN'));
    assert.deepEqual(r.items[0]!.tickers, ['MSFT', 'NFLX', 'AMZN'], 'TSN is outside this universe');
    assert.deepEqual(r.items[0]!.sentiment, {});
  });

  test('Polygon: three tickers, three insights: each ticker gets its own, never insights[0]; a row without a title is named and skipped', () => {
    const r = parsePolygonNews(json('polygon-news-three-insights.json').results!, U('MSFT', 'AAPL', 'NVDA'));
    assert.equal(r.items.length, 1);
    const s = r.items[0]!.sentiment;
    assert.deepEqual([s.MSFT?.label, s.AAPL?.label, s.NVDA?.label], ['negative', 'positive', 'neutral']);
    assert.match(s.AAPL!.reasoning!, /buyback/);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]!.row, 'bad-row-no-title');
    assert.match(r.problems[0]!.problem, /^title /);
  });

  test('Alpaca: an empty summary stays empty (the headline stands alone); no sentiment field, none given', () => {
    const r = parseAlpacaNews(json('alpaca-news-docs-example.json').news!, U('AAPL'));
    assert.equal(r.items[0]!.summary, '');
    assert.match(r.items[0]!.title, /^Apple Leader in Phone Sales/);
    assert.equal(r.items[0]!.key, 'alpaca:24843171');
    assert.deepEqual(r.items[0]!.sentiment, {});
  });

  test('Alpha Vantage: labels as three, scores from strings, relevance filtered, the zoneless time read as New York', () => {
    assert.deepEqual(['Bullish', 'Somewhat-Bullish', 'Neutral', 'Somewhat-Bearish', 'Bearish'].map(avLabel), ['positive', 'positive', 'neutral', 'negative', 'negative']);
    const r = parseAlphaVantageNews(json('alphavantage-news-sentiment.json').feed!, U('BLBD', 'DIS'));
    assert.equal(r.items.length, 1, 'the Disney article has no ticker_sentiment: not about a ticker of ours');
    assert.equal(r.outside, 1);
    assert.equal(r.items[0]!.sentiment.BLBD?.label, 'positive');
    assert.equal(r.items[0]!.sentiment.BLBD?.score, 0.462257);
    assert.equal(r.items[0]!.publishedAt.toISOString(), '2024-01-03T21:58:18.000Z', '16:58:18 New York (EST)');
  });

  test('Alpha Vantage earnings CSV: by header, 6 and 7 columns, a quoted name with a comma, empty estimate and time', () => {
    const seven = parseAlphaVantageEarningsCsv(fixture('alphavantage-earnings-7col.csv'), U('AAPL', 'MSFT', 'BRK.B'));
    assert.deepEqual(seven.items.map((e) => [e.symbol, e.date, e.hour, e.epsEstimate]), [
      ['AAPL', '2026-02-16', 'amc', 2.35], ['MSFT', '2026-02-17', 'bmo', 3.12], ['BRK.B', '2026-02-21', null, null],
    ]);
    assert.equal(seven.items[2]!.name, 'Berkshire Hathaway, Inc.');
    const six = parseAlphaVantageEarningsCsv(fixture('alphavantage-earnings-6col.csv'), U('IBM'));
    assert.deepEqual(six.items.map((e) => [e.date, e.hour, e.epsEstimate]), [['2024-04-24', null, 1.59], ['2024-07-24', null, null]]);
    assert.deepEqual(parseCsv('a,"b ""q"", c"\n1,2\n'), [['a', 'b "q", c'], ['1', '2']]);
    const noHeader = parseAlphaVantageEarningsCsv('foo,bar\n1,2\n', U('AAPL'));
    assert.match(noHeader.problems[0]!.problem, /no symbol, reportDate column/);
  });

  test('Finnhub earnings: hour, estimate and actual, fiscal quarter', () => {
    const r = parseFinnhubEarnings(json('finnhub-earnings-calendar-docs.json').earningsCalendar!, U('AAPL'));
    assert.deepEqual(r.items.map((e) => [e.date, e.hour, e.epsEstimate, e.epsActual, e.fiscalPeriod]), [['2020-01-28', 'amc', 4.5474, 4.99, 'Q1 2020'], ['2019-10-30', 'amc', 2.8393, 3.03, 'Q4 2019']]);
  });

  test('FRED release dates: only the releases we follow, at their usual times', () => {
    const rows = [...json('fred-release-dates-docs.json').release_dates!, { release_id: 10, date: '2020-03-11' }, { release_id: 50, date: 'soon' }];
    const r = parseFredReleaseDates(rows, (k) => USUAL_TIMES[k]);
    assert.deepEqual(r.items.map((e) => [e.date, e.time, e.kind]), [['2020-03-11', '08:30', 'cpi']], 'release 82 is not one of ours');
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!.problem, /date must be a date/);
  });

  test("the Fed's calendar: byte-order mark, multi-day meetings decide on their last day at 14:00, minutes kept, speeches left out", () => {
    const r = parseFedCalendar(fixture('fed-calendar-bom.json'));
    assert.deepEqual(r.items.map((e) => [e.date, e.time, e.kind]), [['2026-10-28', '14:00', 'fomc'], ['2026-12-09', '14:00', 'fomc'], ['2026-11-18', '14:00', 'fomc-minutes']]);
    assert.match(r.items[0]!.note!, /press conference 14:30/);
    assert.deepEqual(fedDays('27-28'), [27, 28]);
    assert.deepEqual(fedDays('1, 8, 15'), [1, 8, 15]);
    const wrap = parseFedCalendar(JSON.stringify({ events: [{ title: 'FOMC Meeting', month: '2023-01', days: '31-1', type: 'FOMC' }] }));
    assert.equal(wrap.items[0]!.date, '2023-02-01', 'a meeting across a month end decides on the 1st');
    assert.equal(parseFedCalendar('not json').problems[0]!.problem, 'not JSON');
  });
});
