import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IDEA_CRITERIA, openKey, rankIdeas, type IdeaInput, type IdeaParams } from '../../src/ideas/criteria.js';
import { pickInOrder } from '../../src/ideas/idea-backtest.js';
import type { Outcome } from '../../src/ideas/scoring.js';
import { setupBefore, setupColumns, setupAt, type Setup } from '../../src/ideas/features.js';
import type { Bar } from '../../src/market-data/provider.js';
import { tradingDaysBetween } from '../../src/calendar/nyse.js';

const params: IdeaParams = { criteria: IDEA_CRITERIA.map((c) => c.id), perSlot: 5, sides: 'long', stopAtr: 1.5, minGapPct: 2, minRelVolume: 1.5 };
const days = tradingDaysBetween('2023-01-03', '2024-03-28');
/** A steady climb with a daily range of 2 (so ATR ≈ 2): close k = 100 + k/4. */
const bars: Bar[] = days.map((date, k) => ({ symbol: 'TEST', date, open: 100 + k / 4, high: 101 + k / 4, low: 99 + k / 4, close: 100 + k / 4, volume: 1_000_000, synthetic: true }));

const setup = (over: Partial<Setup> = {}): Setup => ({ ...setupBefore('TEST', bars.slice(0, -1), bars[bars.length - 1]!.date)!, ...over });

describe('what an idea may know', () => {
  test("the 09:00 idea's setup refuses the day's own bar (look-ahead fails loudly)", () => {
    const day = bars[bars.length - 1]!.date;
    assert.throws(() => setupBefore('TEST', bars, day), /look-ahead: TEST's bars reach/);
    const s = setupBefore('TEST', bars.slice(0, -1), day)!;
    assert.equal(s.date, bars[bars.length - 2]!.date, 'the setup is the previous session');
    assert.equal(s.close, bars[bars.length - 2]!.close);
  });

  test("a setup row uses nothing after its session: changing later bars leaves it unchanged", () => {
    const i = 300;
    const a = setupAt(setupColumns('TEST', bars), i)!;
    const later = bars.map((b, k) => (k > i ? { ...b, close: b.close * 3, high: b.high * 3, low: b.low * 3, volume: 9e9 } : b));
    assert.deepEqual(setupAt(setupColumns('TEST', later), i), a);
  });
});

describe('the criteria', () => {
  test('a near-high trending close gives a breakout-setup above the high, stop 1.5 ATR under', () => {
    const s = setup();
    const [idea] = rankIdeas('pre-market-signals', [{ setup: s, sector: 'Tech', context: {} }], params);
    assert.equal(idea?.criterion, 'breakout-setup');
    assert.equal(idea.entry, Math.round((Math.max(s.high, s.high252) + 0.01) * 100) / 100);
    assert.ok(Math.abs(idea.entry - idea.stop - 1.5 * s.atr) < 0.011);
    assert.equal(idea.horizon, 20);
  });

  test('a pre-market gap down is a short only when shorts are allowed', () => {
    const s = setup({ high252: 1e9 }); // no breakout
    const x: IdeaInput = { setup: s, sector: 'Tech', premarket: { last: s.close * 0.95 }, context: {} };
    assert.equal(rankIdeas('pre-market-signals', [x], params).length, 0, 'long only');
    const [short] = rankIdeas('pre-market-signals', [x], { ...params, sides: 'both' });
    assert.equal(short?.side, 'short');
    assert.ok(short.stop > short.entry && short.stop <= s.close, 'stop above, at most at the previous close (the gap filled)');
  });

  test("a daytime idea enters beyond the range so far and stops beyond its other side (a daily bar can judge it)", () => {
    const s = setup({ high252: 1e9, squeeze: 0.5 });
    const today = { open: s.close * 1.01, high: s.close * 1.05, low: s.close * 1.005, last: s.close * 1.045, volume: 3e6, relVolume: 3 };
    const [idea] = rankIdeas('mid-morning-signals', [{ setup: s, sector: 'Tech', today, context: {} }], params);
    assert.equal(idea?.criterion, 'volume-surge');
    assert.ok(idea.entry > today.high, 'entry above the high so far');
    assert.ok(idea.stop < today.low, 'stop under the low so far');
    const negative = rankIdeas('mid-morning-signals', [{ setup: s, sector: 'Tech', today, context: { news: { count: 3, positive: 0, negative: 2 } } }], params);
    assert.equal(negative.length, 0, 'net-negative news: no long');
    const earnings = rankIdeas('mid-morning-signals', [{ setup: s, sector: 'Tech', today, context: { earningsInDays: 1 } }], params);
    assert.equal(earnings.length, 0, 'a report tomorrow: no idea');
  });

  test('one idea per symbol, the best perSlot by score; criteria outside idea_criteria do not run', () => {
    const inputs = Array.from({ length: 8 }, (_, k) => ({ setup: { ...setup(), symbol: `S${k}`, ret20: 0.01 * (k + 1) }, sector: 'Tech', context: {} }));
    const out = rankIdeas('pre-market-signals', inputs, { ...params, perSlot: 3 });
    assert.deepEqual(out.map((i) => i.symbol), ['S7', 'S6', 'S5']);
    assert.equal(rankIdeas('pre-market-signals', inputs, { ...params, criteria: ['oversold-bounce'] }).length, 0);
  });
});

describe('an open idea is not proposed again', () => {
  test('live: a criterion skips a name whose earlier idea is open; another criterion may still take it', () => {
    const s = setup({ rsi: 5 }); // a breakout-setup and an oversold-bounce at once (the latter scoring higher)
    const x = { setup: s, sector: 'Tech', context: {} };
    assert.equal(rankIdeas('pre-market-signals', [x], params)[0]?.criterion, 'oversold-bounce', 'the better score');
    const [next] = rankIdeas('pre-market-signals', [x], params, new Set([openKey('oversold-bounce', 'TEST')]));
    assert.equal(next?.criterion, 'breakout-setup');
    assert.equal(rankIdeas('pre-market-signals', [x], params, new Set([openKey('oversold-bounce', 'TEST'), openKey('breakout-setup', 'TEST')])).length, 0);
  });

  test('the backtest picks in time order: suppressed until the open idea closes (its stop or its horizon)', () => {
    const cal = ['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12'];
    const open: Outcome = { state: 'open', fill: 10, exit: null, r1: 0, r5: null, r20: null, spx1: 0, spx5: null, spx20: null, result: null, excess: null, final: false, scoredThrough: null };
    const c = (date: string, outcome: Outcome | null) => ({ symbol: 'TEST', criterion: 'oversold-bounce', criterionVersion: 1, horizon: 5 as const, side: 'long' as const, entry: 10, stop: 9, score: 1, why: '', date, slot: 'pre-market-signals' as const, facts: { close: 10, atr: 1, rsi: 20, squeeze: 0.5 }, outcome });
    // Triggered on the 4th: open through its 5th session (the 8th); the ideas of the 5th–8th are not posted, the 11th's is.
    const picked = pickInOrder([c('2024-03-04', { ...open, state: 'closed', result: 0.01 }), ...cal.slice(1).map((d) => c(d, null))], 5, cal);
    assert.deepEqual(picked.map((p) => p.date), ['2024-03-04', '2024-03-11', '2024-03-12']);
    // Stopped on the 5th: free again from the 6th.
    const stopped = pickInOrder([c('2024-03-04', { ...open, state: 'closed', exit: { date: '2024-03-05', price: 9, reason: 'stop' } }), ...cal.slice(1).map((d) => c(d, null))], 5, cal);
    assert.deepEqual(stopped.map((p) => p.date), ['2024-03-04', '2024-03-06', '2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12']);
  });
});
