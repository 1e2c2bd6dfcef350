import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheUse } from '../../src/market-data/fetch-service.js';
import { tradingDaysBetween } from '../../src/calendar/nyse.js';
import { addDays } from '../../src/calendar/dates.js';

// The cache-hit rule reads this measure: a normal daily update must not look like a cache failure.
test('a daily update reads all but one day of the kept history from storage; lost storage and first backfills are told apart', () => {
  const date = '2026-11-24';
  const window = tradingDaysBetween(addDays(date, -420), date).length;
  const symbols = ['SPY', 'QQQ', 'NEW'];
  const daily = cacheUse(symbols, new Map([['SPY', '2026-11-23'], ['QQQ', '2026-11-23']]), date, 420);
  assert.deepEqual(daily, { stored: 2 * (window - 1), fetched: 2 }, 'one missing day each; the joiner NEW is not counted');
  assert.ok((100 * daily.stored) / (daily.stored + daily.fetched) > 99, 'a normal day is near 100 %');
  const rerun = cacheUse(symbols, new Map([['SPY', date], ['QQQ', date]]), date, 420);
  assert.equal(rerun.fetched, 0);
  // Storage that lost most of its bars (last stored bar 250 trading days back): the rate falls under 50 %.
  const lost = cacheUse(['SPY'], new Map([['SPY', '2025-11-24']]), date, 420);
  assert.ok((100 * lost.stored) / (lost.stored + lost.fetched) < 50, `lost storage shows: ${JSON.stringify(lost)}`);
  assert.deepEqual(cacheUse(['NEW'], new Map(), date, 420), { stored: 0, fetched: 0 }, 'a first backfill is not measured');
});
