import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Outbox } from '../../src/db/models/outbox.js';
import { IdeaSlot } from '../../src/db/models/ideas.js';
import { fetchMarketData } from '../../src/market-data/fetch-service.js';
import { providerFor } from '../../src/market-data/providers.js';
import { loadUniverse } from '../../src/market-data/universe.js';
import { inChildProcess, jobInChildProcess } from '../helpers/child-script.js';
import { clearCollections, testEnv, useTestDatabase } from '../helpers/db.js';

const db = useTestDatabase('ideas-procs');
const D = '2020-03-17';

/** The slot service itself in a child process (no run key in the way): it stores the slot and queues its post. */
function slotInChild(job: string, at: string): Promise<string> {
  return inChildProcess(db.name, `
    const { runIdeasSlot } = await import('./src/ideas/idea-slots.ts');
    const { slotPost } = await import('./src/ideas/idea-posts.ts');
    const { enqueuePost } = await import('./src/notify/outbox.ts');
    const slot = await runIdeasSlot(env, ${JSON.stringify(D)}, ${JSON.stringify(job)}, new Date(${JSON.stringify(at)}));
    await enqueuePost(${JSON.stringify(`${job}:${D}`)}, slotPost(slot, true));
    process.stdout.write(JSON.stringify(slot.ideas.map((i) => i.id)) + '\\n');
  `);
}

test('two processes at 09:00: one run, the slot stored once, one post', async () => {
  await clearCollections();
  await fetchMarketData({ date: '2020-03-16', symbols: loadUniverse().map((u) => u.symbol), provider: providerFor(testEnv()) });
  const statuses = await Promise.all([0, 1].map(() => jobInChildProcess(db.name, 'pre-market-signals', D, `${D}T09:00:00-04:00`)));
  assert.equal(statuses.filter((s) => s === 'succeeded').length, 1, `one ran: ${statuses.join(', ')}`);
  assert.equal(await IdeaSlot.countDocuments({}), 1);
  assert.equal(await Outbox.countDocuments({ idempotencyKey: `pre-market-signals:${D}` }), 1, 'one post');
});

test('four processes building the 11:00 slot at once: every idea once, the same ideas for all, one post', async () => {
  const lists = await Promise.all([0, 1, 2, 3].map(() => slotInChild('mid-morning-signals', `${D}T11:00:00-04:00`)));
  assert.equal(new Set(lists).size, 1, `all four saw the same ideas: ${lists.join(' | ')}`);
  const ids = JSON.parse(lists[0]!) as string[];
  assert.ok(ids.length > 0);
  const slots = await IdeaSlot.find({ job: 'mid-morning-signals' }).lean();
  assert.equal(slots.length, 1, 'one slot document');
  assert.deepEqual((JSON.parse(slots[0]!.ideasJson) as Array<{ id: string }>).map((i) => i.id), ids);
  assert.equal(await Outbox.countDocuments({ idempotencyKey: `mid-morning-signals:${D}` }), 1, 'one post');
});
