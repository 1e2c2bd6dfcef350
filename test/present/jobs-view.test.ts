import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runResultPost, summaryValue } from '../../src/present/jobs-view.js';

test('a nested run summary reads as words, never [object Object] or JSON', () => {
  assert.equal(summaryValue({ oversold: 'AAPL MSFT', breakout: 'NVDA' }), 'oversold AAPL MSFT; breakout NVDA');
  assert.equal(summaryValue([{ symbol: 'SPY', qty: 3 }, 'x']), 'symbol SPY; qty 3, x');
  assert.equal(summaryValue([]), '—');
  const post = runResultPost({
    job: 'closing-scan', date: '2020-03-16', runKey: '2020-03-16', status: 'succeeded', attempt: 1, durationMs: 12, error: null,
    summary: { scanned: 529, top: { oversold: 'AAPL MSFT X', 'new-highs': 'NVDA' } },
  });
  const value = post.fields!.find((f) => f.name === 'Summary')!.value;
  assert.equal(value, 'scanned: 529\ntop: oversold AAPL MSFT X; new-highs NVDA');
  assert.doesNotMatch(value, /object Object|[{}"]/);
});
