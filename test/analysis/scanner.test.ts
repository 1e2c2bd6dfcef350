import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tradingDaysBetween } from '../../src/calendar/nyse.js';
import type { Bar } from '../../src/market-data/provider.js';
import { runScanner, scanFeatures, MIN_SCAN_BARS } from '../../src/analysis/scanner.js';

const days = tradingDaysBetween('2023-01-03', '2024-06-28');
function bars(symbol: string, f: (i: number) => number, range = 0.01): Bar[] {
  return days.map((date, i) => {
    const c = f(i);
    return { symbol, date, open: c, high: c * (1 + range), low: c * (1 - range), close: c, volume: 1000, synthetic: true };
  });
}

test('features: a steady riser makes a new high with RSI near 100; too little history is skipped', () => {
  const up = scanFeatures('UP', bars('UP', (i) => 100 * 1.002 ** i))!;
  assert.equal(up.new_high, true);
  assert.ok(up.rsi_14 > 95);
  assert.ok(Math.abs(up.return_20d - (1.002 ** 20 - 1)) < 1e-9);
  assert.ok(Math.abs(up.atr_pct - 0.02) < 0.002, 'high − low is 2 % of price');
  assert.equal(scanFeatures('NEW', bars('NEW', () => 10).slice(0, MIN_SCAN_BARS - 1)), undefined);
});

test('criteria rank the universe: ATR, momentum, RSI extremes, squeeze, new highs', () => {
  const universe = new Map<string, Bar[]>([
    ['UP', bars('UP', (i) => 100 * 1.002 ** i)],
    ['DOWN', bars('DOWN', (i) => 100 * 0.998 ** i)],
    ['WILD', bars('WILD', (i) => 100 + 10 * Math.sin(i / 3), 0.05)],
    ['QUIET', bars('QUIET', (i) => 100 + (i < days.length - 20 ? 8 * Math.sin(i / 5) : 0.01 * Math.sin(i)))],
    ['SHORT', bars('SHORT', () => 10).slice(0, 50)],
  ]);
  const r = runScanner(universe, ['atr', 'momentum', 'rsi-extremes', 'bb-squeeze', 'new-highs'], 3);
  assert.equal(r.scanned, 4);
  assert.deepEqual(r.skipped, ['SHORT']);
  const by = Object.fromEntries(r.results.map((x) => [x.criterion, x.hits.map((h) => h.symbol)]));
  assert.equal(by.atr![0], 'WILD');
  assert.equal(by.momentum![0], 'UP');
  const mom = r.results.find((x) => x.criterion === 'momentum')!.hits.map((h) => h.value);
  assert.deepEqual(mom, [...mom].sort((a, b) => b - a), 'best momentum first');
  assert.ok(!by.momentum!.includes('DOWN') || by.momentum!.indexOf('DOWN') > 0);
  assert.deepEqual(by['rsi-extremes']!.sort(), ['DOWN', 'UP']);
  assert.deepEqual(by['bb-squeeze'], ['QUIET']);
  assert.deepEqual(by['new-highs'], ['UP']);
});
