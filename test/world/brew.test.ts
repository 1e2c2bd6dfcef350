import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPost } from '../../src/notify/post.js';
import { brewView, closedBecause, morningBrewEarly, morningBrewMain, overnightSync, preMarketPrep, storeBrew } from '../../src/world/brew-service.js';
import { buildWorldBoard } from '../../src/world/world-service.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { clearCollections, testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('brew');
const ny = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00-04:00`);

describe('the morning briefs (demo)', () => {
  test('a brief whose 04:00 prep never ran still posts what it has and names what it lacks', async () => {
    await clearCollections();
    const post = buildPost(await morningBrewEarly(testEnv(), '2020-03-17', ny('2020-03-17', '06:00')));
    const lacks = post.fields.find((f) => f.name === 'Not in this brief');
    assert.ok(lacks, 'it says what it lacks');
    assert.match(lacks.value, /the world board of 2020-03-16/);
    assert.match(lacks.value, /overnight-sync/);
    assert.match(post.footer ?? '', /Index futures and live foreign index levels: no free source serves them/);
  });

  test('prep, night and briefs: the world overnight since the US close, today\'s calendars; the 07:30 names with their reasons', async () => {
    await clearCollections();
    const env = testEnv();
    await buildWorldBoard(env, '2020-03-16');
    const night = await overnightSync(env, '2020-03-17', ny('2020-03-17', '00:00'));
    assert.equal(night.crypto.length, 2);
    assert.ok(night.crypto.every((c) => c.sinceUsClosePct !== null && c.sinceUsClosePct !== 0), 'crypto moved since the US close');
    const prep = await preMarketPrep(env, '2020-03-17', ny('2020-03-17', '04:00'));
    assert.ok(prep.ready.includes("today's earnings") && prep.ready.includes('the news since the close'));
    assert.deepEqual(prep.missing.map((m) => m.split(':')[0]), ['the scan of 2020-03-16'], 'no scan was stored: said');
    assert.equal(await Outbox.countDocuments({ idempotencyKey: 'pre-market-prep:2020-03-17' }), 1, 'ops hears once');
    const early = buildPost(await morningBrewEarly(env, '2020-03-17', ny('2020-03-17', '06:00')));
    assert.match(early.fields.find((f) => f.name === 'The world overnight')!.value, /Since the US close: BTC\/USD/);
    assert.ok(!early.fields.some((f) => f.name === 'Not in this brief'));
    await storeBrew('2020-03-17', 'early', await morningBrewEarly(env, '2020-03-17', ny('2020-03-17', '06:00')), ny('2020-03-17', '06:00'));
    assert.match((await brewView('2020-03-17', 'early')).title, /Morning brew · Tue 17 Mar 2020 · 06:00/);
    const main = buildPost(await morningBrewMain(env, '2020-03-17', ny('2020-03-17', '07:30')));
    assert.match(main.fields.find((f) => f.name === 'Not in this brief')!.value, /the scan of 2020-03-16/);
    await assert.rejects(brewView('2020-03-18', 'main'), /No 07:30 brief stored for 2020-03-18/);
  });

  test('a holiday is named, not briefed', async () => {
    assert.equal(closedBecause('2020-11-26'), 'Thanksgiving Day');
    assert.equal(closedBecause('2020-03-17'), null);
    assert.match(buildPost(await morningBrewEarly(testEnv(), '2020-11-26', ny('2020-11-26', '06:00'))).description!, /closed today \(Thanksgiving Day\)/);
  });
});

test('posts keep to Discord\'s limits by whole lines: nothing cut mid-line, the rest counted', async () => {
  const { fitLines } = await import('../../src/notify/post.js');
  const lines = Array.from({ length: 200 }, (_, i) => `• ${i} ${'International Flavors & Fragrances Inc. (IFF) — an article title as long as they come '.repeat(1)}`);
  const text = fitLines(lines, 1024);
  assert.ok(text.length <= 1024);
  const out = text.split('\n');
  assert.match(out.at(-1)!, /^…and \d+ more$/);
  assert.equal(Number(/\d+/.exec(out.at(-1)!)![0]) + out.length - 1, 200, 'every line shown or counted');
  assert.ok(out.slice(0, -1).every((l) => lines.includes(l)), 'whole lines only');
  assert.equal(fitLines(['a', 'b'], 1024), 'a\nb');
});
