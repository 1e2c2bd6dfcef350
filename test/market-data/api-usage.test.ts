import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiCall, ApiUsage } from '../../src/db/models/api-usage.js';
import { recordApiCall } from '../../src/market-data/http/api-usage.js';
import { useTestDatabase } from '../helpers/db.js';

useTestDatabase('api-usage');

test('a daily limit holds exactly under concurrent reservations (unique inserts), and the 80 % alert fires once', async () => {
  const now = new Date('2024-03-15T15:00:00Z');
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => recordApiCall('alphavantage', 5, now)));
  const ok = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof recordApiCall>>>).value);
  assert.equal(ok.length, 5, 'five requests under a limit of five');
  assert.deepEqual(ok.map((t) => t.calls).sort(), [1, 2, 3, 4, 5], 'each number taken once');
  assert.equal(ok.filter((t) => t.crossedAlertShare).length, 1, 'one request reaches 80 %');
  assert.ok(results.filter((r) => r.status === 'rejected').every((r) => /daily limit of 5 requests reached/.test(String((r as PromiseRejectedResult).reason))));
  assert.equal(await ApiCall.countDocuments({ provider: 'alphavantage' }), 5);
  assert.equal((await ApiUsage.findOne({ provider: 'alphavantage' }).lean())?.calls, 5);
});
