import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breadth, symbolDay } from '../../src/analysis/market-breadth.js';
import { tradingDaysBetween } from '../../src/calendar/nyse.js';
import type { Bar } from '../../src/market-data/provider.js';

const days = tradingDaysBetween('2023-01-03', '2024-03-15');
function series(symbol: string, closeOn: (i: number) => number, lastOpen?: number): Bar[] {
  return days.map((date, i) => {
    const c = closeOn(i);
    return { symbol, date, open: i === days.length - 1 && lastOpen !== undefined ? lastOpen : c, high: c, low: c, close: c, volume: 1, synthetic: true };
  });
}

test('movers, gaps, advance/decline and 52-week extremes from hand-made series', () => {
  const n = days.length;
  const up = series('UP', (i) => 100 + i); // a new high every day
  const down = series('DOWN', (i) => 300 - i); // a new low every day
  const gap = series('GAP', (i) => (i === n - 1 ? 110 : 100), 105); // opens +5 % above 100, closes +10 %
  const flat = series('FLAT', () => 50);
  const date = days[n - 1]!;
  const all = [up, down, gap, flat].map((b) => symbolDay(b[0]!.symbol, b, date)!);
  assert.ok(Math.abs(all[2]!.gapPct - 5) < 1e-9);
  assert.ok(Math.abs(all[2]!.changePct - 10) < 1e-9);
  const b = breadth(date, all, 5);
  assert.deepEqual([b.advancers, b.decliners, b.unchanged, b.covered, b.universe], [2, 1, 1, 4, 5]);
  assert.deepEqual(b.gainers.map((d) => d.symbol), ['GAP', 'UP']);
  assert.deepEqual(b.losers.map((d) => d.symbol), ['DOWN']);
  assert.deepEqual(b.gapsUp.map((d) => d.symbol), ['GAP']);
  assert.deepEqual(b.newHighs, ['GAP', 'UP']);
  assert.deepEqual(b.newLows, ['DOWN']);
  assert.equal(symbolDay('X', up.slice(0, -1), date), null, 'no bar for the day: not guessed');
});
