import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparedWindows } from '../../scripts/soak-checks.js';

/** A sample per simulated day from `from` for `n` days (the soak samples weekends too: their slots run). */
const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => ({ label: new Date(Date.parse(`${from}T12:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10) }));

test('the drift windows are the first and the last whole calendar week, Monday to Sunday', () => {
  // 2020-02-10 (Monday) to 2020-03-10 (Tuesday): four whole weeks and a partial one.
  const w = comparedWindows(days('2020-02-10', 30));
  assert.deepEqual(w.first.map((s) => s.label), ['2020-02-10', '2020-02-11', '2020-02-12', '2020-02-13', '2020-02-14', '2020-02-15', '2020-02-16']);
  assert.deepEqual([w.last[0]!.label, w.last.at(-1)!.label, w.last.length], ['2020-03-02', '2020-03-08', 7], 'the partial last week (Mar 9–10) is left out');
  assert.match(w.what, /week of 2020-03-02 against the week of 2020-02-10/);
});

test('a run starting on a Wednesday begins its first window the next Monday; a week starting on a Tuesday (a Monday holiday) counts', () => {
  const mid = comparedWindows(days('2020-02-12', 26)); // Wed Feb 12 → Fri Mar 8
  assert.equal(mid.first[0]!.label, '2020-02-17');
  const holiday = comparedWindows(days('2020-02-18', 20)); // Tue Feb 18 (after Presidents' Day) → Sun Mar 8
  assert.equal(holiday.first[0]!.label, '2020-02-18');
  assert.equal(holiday.last[0]!.label, '2020-03-02');
});

test('a run without two whole weeks compares its last day with its first', () => {
  const w = comparedWindows(days('2020-02-10', 3));
  assert.deepEqual([w.first.map((s) => s.label), w.last.map((s) => s.label)], [['2020-02-10'], ['2020-02-12']]);
  assert.match(w.what, /last day against the first/);
});
