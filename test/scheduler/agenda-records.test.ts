import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ObjectId } from 'mongodb';
import { nativeDb } from '../../src/db/connection.js';
import { AGENDA_COLLECTION } from '../../src/scheduler/job-definition.js';
import { dedupeRecurringJobs } from '../../src/scheduler/worker.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

useTestDatabase('agenda_records');

test('duplicate recurring records (two workers starting at once) are cut to one per name, the lowest _id kept; one-off runs untouched', async () => {
  await clearCollections();
  const coll = nativeDb().collection(AGENDA_COLLECTION);
  // What two workers' every() calls leave when FerretDB lets both upserts insert: the same name twice or three times.
  const ids = Array.from({ length: 6 }, () => new ObjectId());
  await coll.insertMany([
    { _id: ids[0], name: 'fetch-market-data', type: 'single', repeatInterval: '35 16 * * 1-5', nextRunAt: new Date() },
    { _id: ids[1], name: 'fetch-market-data', type: 'single', repeatInterval: '35 16 * * 1-5', nextRunAt: new Date() },
    { _id: ids[2], name: 'fetch-market-data', type: 'single', repeatInterval: '35 16 * * 1-5', nextRunAt: new Date() },
    { _id: ids[3], name: 'health-check', type: 'single', repeatInterval: '*/15 * * * *', nextRunAt: new Date() },
    { _id: ids[4], name: 'health-check', type: 'single', repeatInterval: '*/15 * * * *', nextRunAt: new Date() },
    { _id: ids[5], name: 'generate-signal', type: 'normal', data: { requestId: 'r1' }, nextRunAt: new Date() },
  ]);
  assert.equal(await dedupeRecurringJobs(nativeDb()), 3);
  const left = await coll.find({}).sort({ _id: 1 }).toArray();
  assert.deepEqual(left.map((j) => String(j._id)), [ids[0], ids[3], ids[5]].map(String));
  // A second worker doing the same afterwards deletes nothing (both keep the same record).
  assert.equal(await dedupeRecurringJobs(nativeDb()), 0);
});
