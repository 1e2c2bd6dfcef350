import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Outbox } from '../../src/db/models/outbox.js';
import { Signal } from '../../src/db/models/signal.js';
import { TradingConfig } from '../../src/db/models/trading-config.js';
import { loadJobs } from '../../src/scheduler/job-registry.js';
import { runJob } from '../../src/scheduler/run-job.js';
import { testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('allocator-jobs');

test('the allocator jobs run for a trading day, post once each, and change nothing when run again', async () => {
  const env = testEnv();
  const jobs = await loadJobs(env.SCHEDULE_TIMEZONE);
  const date = '2019-12-02'; // the first trading day of December 2019
  const order = ['generate-signal', 'strategy-tuning', 'execute-trades', 'portfolio-digest'];
  for (const name of order) {
    const r = await runJob(jobs.get(name)!, env, { date, trigger: 'test' });
    assert.equal(r.status, 'succeeded', `${name}: ${r.error ?? ''}`);
  }
  const signal = await Signal.findOne({ portfolio: 'main', tradeDate: date }).lean();
  assert.ok(signal, 'the signal is stored');
  assert.ok((signal.dataThrough as string) < date, 'built from bars before the trade date');
  const kinds = (await Outbox.find({}).lean()).map((o) => o.channelKey).sort();
  assert.deepEqual(kinds, ['digests', 'signals', 'trades', 'tuning']);
  const versions = await TradingConfig.countDocuments({ portfolio: 'main' });
  assert.equal(versions, 2, 'tuning wrote one new version');
  for (const name of order) assert.equal((await runJob(jobs.get(name)!, env, { date, trigger: 'test' })).status, 'duplicate');
  assert.equal(await Outbox.countDocuments(), 4);
  assert.equal(await TradingConfig.countDocuments({ portfolio: 'main' }), versions);
  const notFirst = await runJob(jobs.get('strategy-tuning')!, env, { date: '2019-12-03', trigger: 'test' });
  assert.match(String(notFirst.summary?.skipped), /not the first trading day/);
});
