import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import {
  closureReason, earlyCloseReason, easterSunday, isFirstTradingDayOfMonth, isTradingDay, nextTradingDay,
  previousTradingDay, sessionClose, sessionOpen, tradingDaysBetween,
} from '../../src/calendar/nyse.js';

describe('NYSE calendar', () => {
  test('rule-based holidays, with observed dates', () => {
    const closed: Array<[string, RegExp]> = [
      ['2024-03-29', /Good Friday/],
      ['2022-06-20', /Juneteenth/], // Sunday the 19th, observed Monday
      ['2021-06-18', /^$/], // no Juneteenth before 2022 (this assertion flips below)
      ['2021-07-05', /Independence Day/], // Sunday the 4th, observed Monday
      ['2020-07-03', /Independence Day/], // Saturday the 4th, observed Friday
      ['2017-01-02', /New Year/], // Sunday the 1st, observed Monday
      ['2024-01-15', /Martin Luther King/],
      ['2024-02-19', /Washington/],
      ['2024-05-27', /Memorial Day/],
      ['2024-09-02', /Labor Day/],
      ['2024-11-28', /Thanksgiving/],
      ['2022-12-26', /Christmas/], // Sunday the 25th, observed Monday
    ];
    for (const [date, reason] of closed) {
      if (date === '2021-06-18') assert.equal(isTradingDay(date), true, 'Juneteenth starts in 2022');
      else assert.match(closureReason(date) ?? '', reason, date);
    }
  });

  test('a Saturday New Year is not made up on the Friday before', () => {
    assert.equal(isTradingDay('2021-12-31'), true);
    assert.equal(isTradingDay('2010-12-31'), true);
  });

  test('special closures from the hand-kept table', () => {
    for (const d of ['2001-09-11', '2001-09-14', '2012-10-29', '2012-10-30', '2018-12-05', '2025-01-09', '2004-06-11', '2007-01-02']) {
      assert.equal(isTradingDay(d), false, d);
    }
    assert.equal(nextTradingDay('2001-09-10'), '2001-09-17');
  });

  test('13:00 early closes', () => {
    assert.match(earlyCloseReason('2024-11-29') ?? '', /Thanksgiving/);
    assert.match(earlyCloseReason('2024-12-24') ?? '', /Christmas Eve/);
    assert.match(earlyCloseReason('2024-07-03') ?? '', /Independence/);
    assert.match(earlyCloseReason('2002-07-05') ?? '', /Independence/);
    assert.equal(earlyCloseReason('2002-07-03'), undefined);
    assert.equal(earlyCloseReason('2022-07-01'), undefined, 'July 4th on a Monday: no short Friday');
    assert.equal(earlyCloseReason('2024-12-23'), undefined);
    assert.equal(sessionClose('2024-11-29').toISOString(), '2024-11-29T18:00:00.000Z');
  });

  test('sessions in New York time across DST changes', () => {
    // DST began 2024-03-10: 09:30 EST = 14:30Z before, 09:30 EDT = 13:30Z after.
    assert.equal(sessionOpen('2024-03-08').toISOString(), '2024-03-08T14:30:00.000Z');
    assert.equal(sessionOpen('2024-03-11').toISOString(), '2024-03-11T13:30:00.000Z');
    assert.equal(sessionClose('2024-03-11').toISOString(), '2024-03-11T20:00:00.000Z');
    // DST ended 2024-11-03.
    assert.equal(sessionOpen('2024-11-01').toISOString(), '2024-11-01T13:30:00.000Z');
    assert.equal(sessionOpen('2024-11-04').toISOString(), '2024-11-04T14:30:00.000Z');
    assert.throws(() => sessionOpen('2024-03-29'), /not a trading day \(Good Friday\)/);
  });

  test('navigation and month starts', () => {
    assert.equal(previousTradingDay('2024-04-01'), '2024-03-28');
    assert.equal(nextTradingDay('2024-03-28'), '2024-04-01');
    assert.equal(isFirstTradingDayOfMonth('2024-04-01'), true);
    assert.equal(isFirstTradingDayOfMonth('2024-01-02'), true);
    assert.equal(isFirstTradingDayOfMonth('2024-01-03'), false);
    assert.equal(easterSunday(2024), '2024-03-31');
    assert.equal(easterSunday(2000), '2000-04-23');
    assert.throws(() => isTradingDay('2031-01-02'), /covers 2000–2030/);
  });

  test('agrees with twenty years of real S&P 500 sessions, day for day', () => {
    const require = createRequire(import.meta.url);
    const csv = readFileSync(join(dirname(require.resolve('vega-datasets')), '..', 'data', 'sp500-2000.csv'), 'utf8');
    const real = csv.trim().split('\n').slice(1).map((r) => r.slice(0, 10));
    assert.deepEqual(tradingDaysBetween('2000-01-03', '2020-04-17'), real);
  });
});
