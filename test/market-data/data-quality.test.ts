import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tradingDaysBetween } from '../../src/calendar/nyse.js';
import { checkQuality, qualitySummary } from '../../src/market-data/data-quality.js';
import type { Bar } from '../../src/market-data/provider.js';

const days = tradingDaysBetween('2024-03-01', '2024-03-28');
const bar = (date: string, c: number): Bar => ({ symbol: 'T', date, open: c, high: c * 1.01, low: c * 0.99, close: c, volume: 1000, synthetic: false });
const clean = () => days.map((d, i) => bar(d, 100 + i * 0.1));

test('a clean series scores 100', () => {
  const r = checkQuality('T', clean(), { through: '2024-03-28' });
  assert.equal(r.score, 100);
  assert.deepEqual(r.issues, []);
  assert.equal(r.expectedDays, days.length, 'Good Friday 2024-03-29 is outside the range; every weekday of March counted');
});

test('gaps against the NYSE calendar, not weekdays: a holiday is not a gap', () => {
  const around = tradingDaysBetween('2024-03-25', '2024-04-03');
  assert.ok(!around.includes('2024-03-29'), 'Good Friday is no trading day');
  const r0 = checkQuality('T', around.map((d) => bar(d, 50)), { through: '2024-04-03' });
  assert.equal(r0.score, 100);
  const holes = clean().filter((b) => b.date !== '2024-03-12' && b.date !== '2024-03-13');
  const r = checkQuality('T', holes, { through: '2024-03-28' });
  assert.equal(r.missingDays, 2);
  assert.equal(r.score, 98);
  assert.match(qualitySummary(r), /2 trading day\(s\) missing \(first 2024-03-12\)/);
});

test('zero and negative prices, high < low and duplicate dates each cost points', () => {
  const b = clean();
  b[3] = { ...b[3]!, close: 0 };
  b[5] = { ...b[5]!, high: 90, low: 110 };
  b.splice(8, 0, { ...b[8]! });
  const r = checkQuality('T', b, { through: '2024-03-28' });
  assert.deepEqual(r.issues.map((i) => i.kind).sort(), ['bad-price', 'duplicate-date', 'high-below-low'], 'no jump is measured from a zero close');
  assert.equal(r.score, 100 - 25 - 10 - 10);
  assert.match(qualitySummary(r), /^zero, negative or missing price/);
});

test('a 2:1 move is flagged as an unadjusted split; a 5 % day is not', () => {
  const b = clean().map((x, i) => (i >= 10 ? { ...x, open: x.open / 2, high: x.high / 2, low: x.low / 2, close: x.close / 2 } : x));
  const r = checkQuality('T', b, { through: '2024-03-28' });
  const jumps = r.issues.filter((i) => i.kind === 'split-like-jump');
  assert.equal(jumps.length, 1);
  assert.equal(jumps[0]!.date, days[10]);
  assert.match(jumps[0]!.detail, /like a 2:1 split not adjusted/);
  const calm = clean().map((x, i) => (i === 10 ? { ...x, close: x.close * 1.05 } : x));
  assert.equal(checkQuality('T', calm, { through: '2024-03-28' }).issues.length, 0);
});

test('a stale last bar costs 20 points a trading day behind', () => {
  const r = checkQuality('T', clean().slice(0, -2), { through: '2024-03-28' });
  assert.equal(r.score, 60);
  assert.equal(r.issues[0]!.kind, 'stale');
  assert.match(r.issues[0]!.detail, /2 trading day\(s\) behind 2024-03-28/);
});
