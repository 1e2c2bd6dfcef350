import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ideaStats, scoreIdea, type Ohlc } from '../../src/ideas/scoring.js';

// Hand-made sessions: the idea is on D1; D2… follow. SPX opens at 100 on D1 and closes 1% higher each session.
const D = ['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12', '2024-03-13', '2024-03-14', '2024-03-15',
  '2024-03-18', '2024-03-19', '2024-03-20', '2024-03-21', '2024-03-22', '2024-03-25', '2024-03-26', '2024-03-27', '2024-03-28', '2024-04-01'];
const bar = (open: number, high: number, low: number, close: number): Ohlc => ({ open, high, low, close });
const spx = new Map(D.map((d, k) => [d, bar(k === 0 ? 100 : 100 * 1.01 ** k, 0, 0, 100 * 1.01 ** (k + 1))]));
const series = (...bars: Ohlc[]) => new Map(bars.map((b, k) => [D[k]!, b]));
const long = { side: 'long' as const, entry: 50, stop: 48, horizon: 5 as const };

describe('scoring an idea from daily bars', () => {
  test('entry triggered, then the stop on a later session: exits at the stop', () => {
    const o = scoreIdea(long, D, series(bar(49.5, 50.5, 49, 50.2), bar(50, 51, 49.2, 50.8), bar(50.5, 50.6, 47.5, 48)), spx);
    assert.equal(o.state, 'closed');
    assert.equal(o.fill, 50);
    assert.deepEqual(o.exit, { date: D[2], price: 48, reason: 'stop' });
    assert.ok(Math.abs(o.r1! - 0.004) < 1e-12, 'day 1: to the close 50.20');
    assert.ok(Math.abs(o.r5! - -0.04) < 1e-12, 'day 5: the stop, −4%');
    assert.equal(o.result, o.r5);
    assert.ok(o.final, 'a stopped idea is final');
  });

  test('entry and stop in the entry session: counted as stopped (the conservative reading)', () => {
    const o = scoreIdea(long, D, series(bar(49, 50.5, 47.9, 50.4), bar(50.4, 52, 50, 51.9)), spx);
    assert.deepEqual(o.exit, { date: D[0], price: 48, reason: 'stop' });
    assert.ok(Math.abs(o.result! - -0.04) < 1e-12);
  });

  test('never triggered: final, no return, not counted as a loss', () => {
    const o = scoreIdea(long, D, series(bar(49, 49.99, 47, 47.5)), spx);
    assert.equal(o.state, 'not-triggered');
    assert.equal(o.result, null);
    assert.ok(o.final);
  });

  test('a gap through the stop exits at the open, below the stop', () => {
    const o = scoreIdea(long, D, series(bar(49.8, 50.6, 49.5, 50.5), bar(46, 47, 45, 46.5)), spx);
    assert.deepEqual(o.exit, { date: D[1], price: 46, reason: 'gap-through-stop' });
    assert.ok(Math.abs(o.result! - -0.08) < 1e-12, '−8%, not the stop\'s −4%');
  });

  test('an open through the entry fills at the open (a 09:00 idea)', () => {
    const o = scoreIdea(long, D, series(bar(51, 52, 50.5, 51.5)), spx);
    assert.equal(o.fill, 51);
    assert.equal(o.state, 'open', 'horizon 5 not reached with one session');
    assert.equal(o.result, null);
  });

  test('held to its horizon: the close of session h against SPX over the same sessions', () => {
    const bars = series(bar(49.5, 50.2, 49.4, 50.1), bar(50.1, 51, 50, 50.9), bar(50.9, 52, 50.5, 51.5), bar(51.5, 52, 51, 51.8), bar(51.8, 53, 51.6, 52.5));
    const o = scoreIdea(long, D, bars, spx);
    assert.equal(o.state, 'closed');
    assert.ok(Math.abs(o.result! - 0.05) < 1e-12, '50 → 52.50');
    assert.ok(Math.abs(o.spx5! - (1.01 ** 5 - 1)) < 1e-12, 'SPX open of session 1 → close of session 5');
    assert.ok(Math.abs(o.excess! - (0.05 - (1.01 ** 5 - 1))) < 1e-12);
    assert.equal(o.final, false, 'final only with 20 sessions');
  });

  test('shorts mirror: triggered below the entry, stopped above', () => {
    const short = { side: 'short' as const, entry: 50, stop: 52, horizon: 1 as const };
    const o = scoreIdea(short, D, series(bar(50.5, 50.9, 49, 49)), spx);
    assert.equal(o.fill, 50);
    assert.ok(Math.abs(o.result! - 0.02) < 1e-12, 'short from 50 to 49: +2%');
    const gap = scoreIdea(short, D, series(bar(50.5, 50.9, 49.9, 50.5), bar(53, 54, 52.5, 53.5)), spx);
    assert.equal(gap.exit?.reason, 'gap-through-stop');
  });

  test('a session with no bar yet: waiting', () => {
    assert.equal(scoreIdea(long, D, new Map(), spx).state, 'waiting');
  });
});

describe('the record of a set of ideas', () => {
  test('a hand-computed set matches to the cent', () => {
    const mk = (id: string, result: number | null, state: 'closed' | 'not-triggered' | 'open', excess: number | null, spx5: number | null, exit = false) => ({
      id, symbol: id.toUpperCase(), date: '2024-03-04', horizon: 5 as const,
      outcome: { state, fill: 1, exit: exit ? { date: '2024-03-05', price: 1, reason: 'stop' as const } : null, r1: null, r5: result, r20: null, spx1: null, spx5, spx20: null, result, excess, final: false, scoredThrough: null },
    });
    const s = ideaStats([
      mk('a', 0.05123, 'closed', 0.04123, 0.01),
      mk('b', -0.02, 'closed', -0.035, 0.015, true),
      mk('c', 0.0333, 'closed', 0.0233, 0.01),
      mk('d', null, 'not-triggered', null, null),
      mk('e', null, 'open', null, null),
    ]);
    assert.equal(s.count, 5);
    assert.equal(s.triggered, 4);
    assert.equal(s.notTriggered, 1);
    assert.equal(s.open, 1);
    assert.equal(s.scored, 3);
    assert.equal(s.hits, 2);
    assert.equal(s.stopped, 1);
    // $1,000 each: +51.23, −20.00, +33.30 → +64.53 in all, +21.51 on average.
    assert.equal(s.pnlPer1000, 64.53);
    assert.equal(s.avgPnlPer1000, 21.51);
    assert.ok(Math.abs(s.avgReturn! - (0.05123 - 0.02 + 0.0333) / 3) < 1e-12);
    assert.ok(Math.abs(s.avgSpx! - 0.035 / 3) < 1e-12);
    assert.ok(Math.abs(s.avgExcess! - (0.04123 - 0.035 + 0.0233) / 3) < 1e-12);
    assert.equal(s.best?.symbol, 'A');
    assert.equal(s.worst?.symbol, 'B');
    assert.ok(Math.abs(s.hitRate! - 2 / 3) < 1e-12);
  });
});
