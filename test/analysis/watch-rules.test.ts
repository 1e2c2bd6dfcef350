import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateRule, watchRuleSchema, WATCH_RULE_KINDS, type DayBars } from '../../src/analysis/watch-rules.js';

const series = (closes: number[], o: Partial<DayBars> = {}): DayBars => ({ open: o.open ?? closes, close: closes, volume: o.volume ?? closes.map(() => 1000) });
const flat = (n: number, x = 100) => Array.from({ length: n }, () => x);

test('rule values are bounded and a rule takes a value exactly when it needs one', () => {
  assert.equal(watchRuleSchema.safeParse({ kind: 'rsi-below', value: 30 }).success, true);
  const msg = (r: unknown) => { const p = watchRuleSchema.safeParse(r); return p.success ? '' : p.error.issues[0]!.message; };
  assert.match(msg({ kind: 'rsi-below', value: 150 }), /150 is out of range; use 1 to 99/);
  assert.match(msg({ kind: 'rsi-below', value: null }), /needs a value from 1 to 99/);
  assert.match(msg({ kind: 'new-52w-high', value: 3 }), /takes no value/);
  assert.match(msg({ kind: 'moon', value: null }), new RegExp(`unknown rule "moon"; allowed: ${WATCH_RULE_KINDS[0]}`));
});

test('moves, gaps, volume and crosses fire on the day they happen and not the day before', () => {
  const up = [...flat(30), 105];
  assert.deepEqual(evaluateRule({ kind: 'move-over', value: 4 }, series(up)), { fired: true, detail: 'move +5.00%' });
  assert.equal(evaluateRule({ kind: 'move-over', value: 6 }, series(up)).fired, false);
  assert.equal(evaluateRule({ kind: 'gap-up', value: 2 }, series(up, { open: [...flat(30), 103] })).fired, true);
  assert.equal(evaluateRule({ kind: 'gap-down', value: 2 }, series(up, { open: [...flat(30), 103] })).fired, false);
  assert.equal(evaluateRule({ kind: 'volume-over', value: 2 }, series(up, { volume: [...flat(30, 1000), 2500] })).fired, true);
  assert.equal(evaluateRule({ kind: 'volume-over', value: 3 }, series(up, { volume: [...flat(30, 1000), 2500] })).fired, false);
  const cross = [...flat(60, 100), 99, 101];
  assert.equal(evaluateRule({ kind: 'cross-above-sma50', value: null }, series(cross)).fired, true);
  assert.equal(evaluateRule({ kind: 'cross-above-sma50', value: null }, series(cross.slice(0, -1))).fired, false);
  assert.equal(evaluateRule({ kind: 'new-52w-high', value: null }, series([...flat(250), 101])).fired, true);
  assert.equal(evaluateRule({ kind: 'new-52w-low', value: null }, series([...flat(250), 101])).fired, false);
  const falling = Array.from({ length: 30 }, (_, i) => 100 - i);
  const r = evaluateRule({ kind: 'rsi-below', value: 30 }, series(falling));
  assert.equal(r.fired, true);
  assert.match(r.detail, /^RSI-14 \d/);
  assert.equal(evaluateRule({ kind: 'rsi-above', value: 70 }, series(falling)).fired, false);
});
