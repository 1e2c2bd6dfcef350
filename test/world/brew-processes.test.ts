import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Outbox } from '../../src/db/models/outbox.js';
import { jobInChildProcess } from '../helpers/child-script.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

const db = useTestDatabase('brew-procs');

test('two processes at 06:00: one brief posted, one run, the other a duplicate', async () => {
  await clearCollections();
  const statuses = await Promise.all([0, 1].map(() => jobInChildProcess(db.name, 'morning-brew-early', '2020-03-17', '2020-03-17T06:00:00-04:00')));
  assert.equal(statuses.filter((s) => s === 'succeeded').length, 1, `one ran: ${statuses.join(', ')}`);
  assert.equal(await Outbox.countDocuments({ idempotencyKey: 'morning-brew-early:2020-03-17' }), 1, 'one post');
});
