import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { Outbox } from '../../src/db/models/outbox.js';
import { getHealth } from '../../src/health/health-service.js';
import { runMonitor } from '../../src/health/monitor.js';
import { evaluateRules, transitions, type HealthSnapshot } from '../../src/health/rules.js';
import { deliverDue, enqueuePost, pruneDeadNotes } from '../../src/notify/outbox.js';
import { SinkError } from '../../src/notify/sinks/sink.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

useTestDatabase('monitor');

const calm: HealthSnapshot = {
  runsLastHour: { finished: 40, failed: 1, failedJobs: ['opening-scan'] }, missedLastDay: [], abandonedRuns: [], stuckLocks: 0,
  outbox: { oldestPendingMinutes: 2, dead: 0 }, providers: [{ id: 'polygon', breaker: 'closed', callsToday: 700, dailyLimit: 1000 }],
  lastCacheHitPct: 90, dbRoundTripMs: 12, freeDiskPct: 40, congressDown: [{ source: 'senate', minutes: 20, detail: 'HTTP 403' }],
};

describe('health rules (pure)', () => {
  test('each threshold fires on its own side of the line', () => {
    assert.deepEqual(evaluateRules(calm).filter((r) => r.firing).map((r) => r.rule), [], '1 of 40 failed is 2.5 %: calm');
    const bad: HealthSnapshot = {
      ...calm, runsLastHour: { finished: 10, failed: 1, failedJobs: ['x'] }, missedLastDay: [{ job: 'opening-scan', runKey: '2026-11-23' }],
      outbox: { oldestPendingMinutes: 11, dead: 2 }, providers: [{ id: 'polygon', breaker: 'open', callsToday: 810, dailyLimit: 1000 }],
      lastCacheHitPct: 40, dbRoundTripMs: 1_200, freeDiskPct: 9, stuckLocks: 1, congressDown: [{ source: 'senate', minutes: 61, detail: 'HTTP 403' }],
    };
    assert.deepEqual(evaluateRules(bad).filter((r) => r.firing).map((r) => r.rule), [
      'job-failures', 'missed-or-abandoned-runs', 'stuck-locks', 'outbox-backlog', 'dead-posts', 'provider-breaker', 'api-usage', 'cache-hit-rate', 'database-latency', 'disk-space', 'congress-sources',
    ]);
    assert.match(evaluateRules(bad).find((r) => r.rule === 'congress-sources')!.detail, /senate down for 61 min: HTTP 403/);
    assert.match(evaluateRules(calm).find((r) => r.rule === 'congress-sources')!.detail, /under 60 min/, 'a 20-minute outage is not an alert yet');
    assert.match(evaluateRules(bad).find((r) => r.rule === 'job-failures')!.detail, /1 of 10 runs failed in the last hour \(10.0 %, limit 5 %\)/);
  });

  test('said once when opened, again only after hours, once when resolved', () => {
    const t0 = new Date('2026-11-23T15:00:00Z');
    const firing = [{ rule: 'dead-posts', firing: true, detail: '1 dead' }];
    const a = transitions(firing, new Map(), t0);
    assert.deepEqual(a.say.map((s) => s.kind), ['opened']);
    const states = new Map(a.next.map((s) => [s.rule, s]));
    assert.deepEqual(transitions(firing, states, new Date(t0.getTime() + 5 * 60_000)).say, [], 'no repeat five minutes later');
    const later = transitions(firing, states, new Date(t0.getTime() + 6 * 3_600_000));
    assert.deepEqual(later.say.map((s) => s.kind), ['reminder']);
    const resolved = transitions([{ rule: 'dead-posts', firing: false, detail: '0 dead' }], states, new Date(t0.getTime() + 7 * 3_600_000));
    assert.deepEqual(resolved.say.map((s) => s.kind), ['resolved']);
  });
});

describe('health monitor on the database', () => {
  beforeEach(clearCollections);

  test('an alert opens (one post), stays quiet while open, resolves (one post), and /health shows the same state', async () => {
    const inputs = { jobs: new Map(), databaseKind: 'ferretdb', dataDir: process.cwd() };
    await enqueuePost('broken', { kind: 'ops', title: 'will not go' });
    // Delivered the real way to a channel that does not exist: Discord's 404 makes the post dead.
    const gone = { name: 'discord', send: async () => { throw new SinkError('discord: 404 Unknown Channel', { retryable: false }); } };
    assert.equal((await deliverDue({ sinkFor: () => gone })).dead, 1);
    const t0 = new Date();
    const first = await runMonitor({ ...inputs, now: t0 });
    assert.deepEqual(first.said.map((s) => `${s.kind} ${s.rule}`), ['opened dead-posts']);
    const again = await runMonitor({ ...inputs, now: new Date(t0.getTime() + 5 * 60_000) });
    assert.deepEqual(again.said, [], 'an open alert is not repeated every run');
    const h = await getHealth({ jobs: new Map(), databaseKind: 'ferretdb', schedulerRunning: false, startedAt: t0 });
    assert.deepEqual(h.alerts.filter((a) => a.open).map((a) => a.rule), ['dead-posts']);
    assert.ok(h.problems.some((p) => /alert open since .*dead-posts/.test(p)));
    // A week later the nightly cleanup drops the note (the outbox row stays as the record).
    assert.equal(await pruneDeadNotes(new Date(t0.getTime() + 8 * 86_400_000)), 1);
    assert.equal((await Outbox.findOne({ idempotencyKey: 'broken' }).lean())?.status, 'dead');
    const fixed = await runMonitor({ ...inputs, now: new Date(t0.getTime() + 10 * 60_000) });
    assert.deepEqual(fixed.said.map((s) => `${s.kind} ${s.rule}`), ['resolved dead-posts']);
    const posts = await Outbox.find({ idempotencyKey: /^health:/ }).lean();
    assert.deepEqual(posts.map((p) => (p.post as { title: string }).title).sort(), ['Alert: dead-posts', 'Resolved: dead-posts']);
  });
});

test('HEALTH_THRESHOLDS overrides defaults within bounds, and says what is wrong otherwise', async () => {
  const { parseThresholds, DEFAULT_THRESHOLDS } = await import('../../src/health/rules.js');
  const { parseEnvVars } = await import('../../src/config/env.js');
  assert.equal(parseThresholds('{"failureRatePct":10}').failureRatePct, 10);
  assert.equal(parseThresholds(undefined).freeDiskPct, DEFAULT_THRESHOLDS.freeDiskPct);
  assert.throws(() => parseThresholds('{"failureRatePct":500}'), /failureRatePct: .*100/);
  assert.throws(() => parseThresholds('{"nope":1}'), /keys: failureRatePct/);
  assert.throws(() => parseEnvVars({ HEALTH_THRESHOLDS: 'loud' }), /HEALTH_THRESHOLDS must be a JSON object/);
});
