import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { benchmarkPoints, compare, comparisonTable, comparisonVerdict, scorecard, xirr, type BenchmarkPrice } from '../../src/trading/benchmark.js';
import type { EquityPoint } from '../../src/trading/performance.js';

const near = (a: number | null, b: number, tol = 1e-9) => assert.ok(a !== null && Math.abs(a - b) < tol, `${a} ≠ ${b}`);

describe('benchmark', () => {
  test('XIRR of known flows', () => {
    // One deposit, 10 % more a year later (366 days, 2020 is a leap year): (1.1)^(365/366) − 1.
    near(xirr([{ date: '2020-01-01', amount: -1000 }, { date: '2021-01-01', amount: 1100 }]), 1.1 ** (365 / 366) - 1);
    // Two deposits a year apart, 2,200 back after two years: 1000x² + 1000x = 2200, x = (−1 + √9.8)/2.
    near(xirr([{ date: '2021-01-01', amount: -1000 }, { date: '2022-01-01', amount: -1000 }, { date: '2023-01-01', amount: 2200 }]), (-1 + Math.sqrt(9.8)) / 2 - 1);
    // A loss: half the money gone in a year.
    near(xirr([{ date: '2021-01-01', amount: -1000 }, { date: '2022-01-01', amount: 500 }]), -0.5);
    // No solution without both signs.
    assert.equal(xirr([{ date: '2021-01-01', amount: -1000 }]), null);
    assert.equal(xirr([]), null);
  });

  // The worked example of docs/strategy.md ("Results against the market"), row by row.
  const points: EquityPoint[] = [
    { date: '2019-01-02', capital: 1000, cash: 400, marketValue: 600, equity: 1000 },
    { date: '2019-02-01', capital: 1000, cash: 900, marketValue: 1150, equity: 2050 },
    { date: '2019-03-01', capital: 1000, cash: 1300, marketValue: 1800, equity: 3100 },
    { date: '2019-04-01', capital: 0, cash: 1300, marketValue: 1950, equity: 3250 },
  ];
  const prices = new Map<string, BenchmarkPrice>([
    ['2019-01-02', { open: 250, close: 250 }],
    ['2019-02-01', { open: 270, close: 272 }],
    ['2019-03-01', { open: 278, close: 280 }],
    ['2019-04-01', { open: 285, close: 286 }],
  ]);

  test('the worked example: benchmark equity, TWR, XIRR, cash share', () => {
    const b = benchmarkPoints(points, prices);
    // Units: 1000/250 + 1000/270 + 1000/278 = 4 + 3.703704 + 3.597122 = 11.300826; valued at each close.
    near(b[0]!.equity, 1000, 1e-6);
    near(b[1]!.equity, (4 + 1000 / 270) * 272, 1e-6); // 2,095.41
    near(b[2]!.equity, (4 + 1000 / 270 + 1000 / 278) * 280, 1e-6); // 3,164.23
    near(b[3]!.equity, (4 + 1000 / 270 + 1000 / 278) * 286, 1e-6); // 3,232.04
    const p = scorecard(points);
    // Daily returns net of the day's capital: 0, 50/2000, 50/3050, 150/3100.
    near(p.twr, (1 + 50 / 2000) * (1 + 50 / 3050) * (1 + 150 / 3100) - 1); // 9.22 %
    near(p.xirr, 0.6267704579, 1e-8); // from the spreadsheet's XIRR of −1000, −1000, −1000, +3250
    near(p.cashShare, (0.4 + 900 / 2050 + 1300 / 3100 + 1300 / 3250) / 4); // 41.46 %
    const c = compare(points, prices, 'SPX')!;
    near(c.benchmark.twr, 0.093948515, 1e-8);
    near(c.benchmark.xirr, 0.5731754622, 1e-8);
    near(c.benchmark.cashShare, 0);
    near(c.difference.twr, p.twr - c.benchmark.twr);
    // 89 days: the table shows the period's money-weighted return, (1 + XIRR)^(89/365) − 1, not the annual rate.
    near(p.mwrPeriod, 1.6267704579 ** (89 / 365) - 1, 1e-8);
    assert.match(comparisonTable(c), /Money-weighted, the 89 days\s+12\.60%\s+11\.68%\s+\+0\.92%/);
    assert.doesNotMatch(comparisonTable(c), /Time-weighted, a year/);
    // A year or more: XIRR itself, and the time-weighted rate a year.
    const long = compare(points.map((x, i) => ({ ...x, date: ['2018-01-02', '2018-06-01', '2018-12-03', '2019-04-01'][i]! })), new Map([...prices].map(([, v], i) => [['2018-01-02', '2018-06-01', '2018-12-03', '2019-04-01'][i]!, v])), 'SPX')!;
    assert.match(comparisonTable(long), /Money-weighted \(XIRR, a year\)/);
    assert.match(comparisonTable(long), /Time-weighted, a year/);
    assert.match(comparisonVerdict(c), /^Behind SPX by 0\.17 points .*41% of equity sat in cash/);
  });

  test('capital before the benchmark has a price waits as cash; a missing day keeps the last close', () => {
    const b = benchmarkPoints(
      [
        { date: '2019-01-01', capital: 500, cash: 500, marketValue: 0, equity: 500 },
        { date: '2019-01-02', capital: 500, cash: 1000, marketValue: 0, equity: 1000 },
        { date: '2019-01-03', capital: 0, cash: 1000, marketValue: 0, equity: 1000 },
      ],
      new Map([['2019-01-02', { open: 100, close: 110 }]]),
    );
    assert.deepEqual(b.map((x) => Math.round(x.equity)), [500, 1100, 1100]);
    assert.equal(b[0]!.cash, 500);
    assert.equal(compare([], new Map(), 'SPY'), null);
  });
});
