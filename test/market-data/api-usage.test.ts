import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiCall, ApiUsage } from '../../src/db/models/api-usage.js';
import { apiUsageOn, recordApiCall } from '../../src/market-data/http/api-usage.js';
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
  assert.ok((await ApiUsage.findOne({ provider: 'alphavantage' }).lean())!.calls <= 5, 'the display hint never runs ahead');
  const [view] = await apiUsageOn('2024-03-15', ['alphavantage']);
  assert.deepEqual(view, { provider: 'alphavantage', day: '2024-03-15', calls: 5, limit: 5, share: 1 });
});

test('without a daily limit every concurrent request is counted once, even if the display hint loses a race', async () => {
  const now = new Date('2024-03-16T15:00:00Z');
  const ticks = await Promise.all(Array.from({ length: 12 }, () => recordApiCall('polygon', null, now)));
  assert.deepEqual(ticks.map((t) => t.calls).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1));
  assert.ok(ticks.every((t) => !t.crossedAlertShare));
  // The hint set back by a lost update: the view still counts every reservation.
  await ApiUsage.updateOne({ _id: 'polygon:2024-03-16' }, { $set: { calls: 7 } });
  const [view] = await apiUsageOn('2024-03-16', ['polygon']);
  assert.equal(view!.calls, 12);
  assert.equal(view!.share, null);
  assert.equal((await recordApiCall('polygon', null, now)).calls, 13, 'the next request takes the next number');
});
