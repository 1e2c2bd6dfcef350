import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { beforeEach, test } from 'node:test';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { scanFromStore, SCANS } from '../../src/analysis/scan-service.js';
import { addWatch, evaluateWatchlists, listWatch, muteWatch, removeWatch, startWatchEvaluation, watchCounts } from '../../src/analysis/watch-service.js';
import { migrateLegacyWatchRules, readWatchlist } from '../../src/analysis/watchlist-store.js';
import { tradingDaysBetween } from '../../src/calendar/nyse.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { LEGACY_WATCH_RULES, Watchlist } from '../../src/db/models/watch.js';
import { upsertBars } from '../../src/market-data/bar-store.js';
import type { Bar } from '../../src/market-data/provider.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { loadUniverse } from '../../src/market-data/universe.js';
import { loadJobs } from '../../src/scheduler/job-registry.js';
import { runJob, type RunResult } from '../../src/scheduler/run-job.js';
import { clearCollections, testEnv, testUri, useTestDatabase } from '../helpers/db.js';

const db = useTestDatabase('watch-service');
beforeEach(clearCollections);

const DATE = '2020-03-16';
const DAYS = tradingDaysBetween('2019-01-02', DATE);

/** A flat series that moves `lastMove` (a fraction) on the last day. */
function bars(symbol: string, lastMove: number): Bar[] {
  return DAYS.map((date, i) => {
    const close = i === DAYS.length - 1 ? 100 * (1 + lastMove) : 100;
    return { symbol, date, open: 100, high: Math.max(100, close), low: Math.min(100, close), close, volume: 1000, synthetic: false };
  });
}

test('rules take the lowest free number, a member sees and removes only their own, and the 26th is refused with nothing changed', async () => {
  assert.equal((await addWatch('u1', 'aapl', 'move-over', 3)).id, 1);
  assert.equal((await addWatch('u1', 'MSFT', 'rsi-below', '30')).id, 2);
  assert.equal((await addWatch('u1', 'SPX', 'new-52w-high', null)).id, 3);
  await removeWatch('u1', 2);
  assert.deepEqual((await listWatch('u1')).rules.map((r) => [r.id, r.symbol, r.rule]), [[1, 'AAPL', 'daily move over 3%'], [3, 'SPX', 'new 52-week closing high']]);
  assert.equal((await addWatch('u1', 'NVDA', 'gap-up', 2)).id, 2, 'the freed number is reused');
  await assert.rejects(removeWatch('u2', 1), /You have no watch rule #1/, "another member's rule is not found");
  assert.equal((await listWatch('u2')).rules.length, 0);
  await assert.rejects(addWatch('u1', 'NOPE', 'move-over', 3), /NOPE is not covered/);
  await assert.rejects(addWatch('u1', 'AAPL', 'rsi-below', 150), /rsi-below: 150 is out of range; use 1 to 99/);
  await assert.rejects(addWatch('u1', 'AAPL', 'move-over', 'lots'), /value "lots" is not a number/);
  for (let k = 4; k <= 25; k++) await addWatch('u1', 'SPX', 'move-over', k);
  const before = await Watchlist.find({}).lean();
  await assert.rejects(addWatch('u1', 'SPX', 'move-over', 1), /already have 25 watch rules/);
  await assert.rejects(removeWatch('u1', 26), /id must be a rule number from 1 to 25/);
  assert.deepEqual(await Watchlist.find({}).lean(), before, 'a refused change writes nothing');
  assert.equal(before.length, 1, 'older revisions are gone once a newer one stands');
  assert.equal((await readWatchlist('u1')).rules.length, 25);
  assert.deepEqual(await watchCounts(), { members: 1, rules: 25, byKind: { 'new-52w-high': 1, 'gap-up': 1, 'move-over': 23 } });
});

test('four processes adding to one member at once: exactly 25 rules, each number once, every other add refused', async () => {
  const run = promisify(execFile);
  const outs = await Promise.all(
    Array.from({ length: 4 }, () =>
      run(process.execPath, ['--import', 'tsx', 'test/helpers/watch-adder.ts', testUri(), db.name, 'racer', '10'], { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'silent' } }),
    ),
  );
  const answers = outs.flatMap((o) => JSON.parse(o.stdout.trim().split('\n').pop()!) as Array<number | string>);
  const ids = answers.filter((a): a is number => typeof a === 'number');
  assert.equal(ids.length, 25);
  assert.deepEqual([...ids].sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i + 1), 'each number handed out once');
  assert.deepEqual(answers.filter((a) => typeof a === 'string'), Array.from({ length: 15 }, () => 'TOO_MANY_RULES'));
  const stored = await readWatchlist('racer');
  assert.deepEqual(stored.rules.map((r) => r.id), Array.from({ length: 25 }, (_, i) => i + 1));
});

test('inside the scan the rules see the bars the scan read, send the same DMs as an evaluation alone, and a re-run queues nothing', async () => {
  await upsertBars([...bars('AAPL', 0.05), ...bars('MSFT', -0.03), ...bars('NVDA', 0.001), ...bars('SPX', -0.12)], 'test');
  await addWatch('alice', 'AAPL', 'move-over', 4);
  await addWatch('alice', 'MSFT', 'move-over', 2);
  await addWatch('alice', 'NVDA', 'move-over', 1);
  await addWatch('bob', 'SPX', 'move-over', 10);
  await addWatch('bob', 'AAPL', 'new-52w-high', null);
  await addWatch('carol', 'NVDA', 'move-over', 1);
  await addWatch('dave', 'MSFT', 'gap-down', 1);
  await muteWatch('dave', 0);

  const watch = await startWatchEvaluation(DATE);
  const seen: string[] = [];
  await scanFromStore(['AAPL', 'MSFT', 'NVDA'], DATE, [...SCANS['next-day-prep'].criteria], 10, (s, b) => {
    seen.push(s);
    watch.visit(s, b);
  });
  const inScan = await watch.finish();
  assert.deepEqual(seen.sort(), ['AAPL', 'MSFT', 'NVDA']);
  assert.deepEqual({ ...inScan, ms: 0 }, { rules: 7, symbols: 4, fromScan: 3, fired: 4, members: 2, queued: 2, muted: 0, errors: 0, ms: 0 }, 'SPX (not in the scan) was read at the end');
  const dms = await Outbox.find({}).sort({ idempotencyKey: 1 }).lean();
  const text = (d: (typeof dms)[number]) => (d.post as { embeds?: Array<{ description?: string }>; description?: string }).embeds?.[0]?.description ?? (d.post as { description?: string }).description;
  assert.deepEqual(dms.map((d) => d.idempotencyKey), [`watch:alice:${DATE}`, `watch:bob:${DATE}`]);
  assert.match(String(text(dms[0]!)), /^#1 AAPL: daily move over 4% \(move \+5\.00%\)\n#2 MSFT: daily move over 2% \(move -3\.00%\)\n\nMute/);
  assert.match(String(text(dms[1]!)), /^#1 SPX: daily move over 10% \(move -12\.00%\)\n#2 AAPL: new 52-week closing high \(close 105\.00\)\n/);

  const again = await evaluateWatchlists(DATE);
  assert.equal(again.queued, 0, 'a re-run queues nothing');
  assert.equal(again.fired, 4, 'and finds the same triggers on its own read');
  assert.equal(again.fromScan, 0);
  await Outbox.deleteMany({});
  const alone = await evaluateWatchlists(DATE);
  const aloneDms = await Outbox.find({}).sort({ idempotencyKey: 1 }).lean();
  assert.equal(alone.queued, 2);
  assert.deepEqual(aloneDms.map(text), dms.map(text), 'alone, the same messages');

  await Outbox.deleteMany({});
  await muteWatch('alice', 24);
  const muted = await evaluateWatchlists(DATE);
  assert.deepEqual([muted.queued, muted.muted], [1, 1]);
  assert.equal((await evaluateWatchlists('2020-03-13')).fired, 0, 'a day without bars through it fires nothing');
});

test('next-day-prep evaluates the watchlists on the bars its scan reads, as an evaluation alone would; a forced re-run queues nothing', async () => {
  const universe = loadUniverse().map((e) => e.symbol);
  await addWatch('alice', universe[0]!, 'move-over', 0.1);
  await addWatch('alice', universe[1]!, 'move-over', 0.1);
  await addWatch('bob', universe[2]!, 'move-over', 0.1);
  await addWatch('bob', universe[3]!, 'gap-down', 50);
  const def = (await loadJobs('America/New_York', undefined, () => undefined)).get('next-day-prep')!;
  const watch = (s: RunResult) => { const w = (s.summary as { watch: Record<string, number> }).watch; return { fromScan: w.fromScan, fired: w.fired, members: w.members, queued: w.queued }; };
  const first = await runJob(def, testEnv(), { date: DATE, trigger: 'cli' });
  assert.equal(first.status, 'succeeded', String(first.error));
  const inJob = watch(first);
  assert.equal(inJob.fromScan, 4, "every rule's symbol came from the scan's own read");
  assert.ok(inJob.fired! >= 1 && inJob.fired! <= 3, `fired ${inJob.fired}`);
  assert.equal(inJob.queued, inJob.members);
  const alone = await evaluateWatchlists(DATE);
  assert.deepEqual([alone.fromScan, alone.fired, alone.members, alone.queued], [0, inJob.fired, inJob.members, 0], 'alone, on the same stored bars: the same triggers, nothing new queued');
  const forced = await runJob(def, testEnv(), { date: DATE, trigger: 'cli', force: true });
  assert.equal(forced.status, 'succeeded', String(forced.error));
  assert.deepEqual(watch(forced), { ...inJob, queued: 0 });
  const dms = await Outbox.find({ idempotencyKey: { $regex: '^watch:' } }).lean();
  assert.equal(dms.length, inJob.members);
  assert.ok(dms.every((d) => (d.destination as { sink: string }).sink === 'dm'));
});

test('rules stored one per document by the first release are folded into watchlists once, numbers kept', async () => {
  const legacy = mongoose.connection.db!.collection(LEGACY_WATCH_RULES);
  const at = new Date('2026-11-30T12:00:00Z');
  await legacy.insertMany([
    { _id: 'u9#3', userId: 'u9', slot: 3, symbol: 'AAPL', kind: 'rsi-below', value: 30, createdAt: at },
    { _id: 'u9#1', userId: 'u9', slot: 1, symbol: 'SPX', kind: 'new-52w-low', value: null, createdAt: at },
    { _id: 'u8#1', userId: 'u8', slot: 1, symbol: 'MSFT', kind: 'moon', value: null, createdAt: at },
  ] as never[]);
  assert.equal(await migrateLegacyWatchRules(), 2);
  assert.deepEqual((await listWatch('u9')).rules.map((r) => [r.id, r.symbol, r.kind, r.value]), [[1, 'SPX', 'new-52w-low', null], [3, 'AAPL', 'rsi-below', 30]]);
  assert.equal((await listWatch('u8')).rules.length, 0, 'a malformed rule is left out (and logged)');
  assert.equal(await legacy.countDocuments({}), 0);
  assert.equal(await migrateLegacyWatchRules(), 0, 'a second start changes nothing');
  assert.equal((await addWatch('u9', 'MSFT', 'move-over', 2)).id, 2);
});

test('a watchlist document that does not hold valid rules is an error that names it', async () => {
  await Watchlist.collection.insertOne({ _id: 'eve#1', userId: 'eve', rev: 1, rules: '[{"id":99}]', count: 1, at: new Date() } as never);
  await assert.rejects(listWatch('eve'), /watchlist eve#1 holds malformed rules/);
});
