import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { AuditEntry } from '../../src/db/models/audit-entry.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { decide, defaultPolicy, inQuietHours, loadPolicy, setQuietHours, setRoute } from '../../src/notify/alert-policy.js';
import { deliverDue, enqueuePost } from '../../src/notify/outbox.js';
import { buildPost } from '../../src/notify/post.js';
import type { Delivery, Sink } from '../../src/notify/sinks/sink.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

useTestDatabase('alert-policy');
const admin = { id: 'cli:ops', name: 'ops', source: 'cli' as const };

describe('alert policy (pure)', () => {
  test('quiet hours are New York wall-clock time, wrap midnight, and follow DST', () => {
    const q = { start: '22:00', end: '07:00' };
    assert.equal(inQuietHours(q, new Date('2024-01-16T04:00:00Z')), true, '23:00 EST');
    assert.equal(inQuietHours(q, new Date('2024-01-16T11:30:00Z')), true, '06:30 EST');
    assert.equal(inQuietHours(q, new Date('2024-01-16T12:30:00Z')), false, '07:30 EST');
    assert.equal(inQuietHours(q, new Date('2024-07-16T11:30:00Z')), false, '07:30 EDT (same UTC hour as 06:30 EST)');
    assert.equal(inQuietHours({ start: '12:00', end: '13:00' }, new Date('2024-07-16T16:30:00Z')), true, '12:30 EDT');
    assert.equal(inQuietHours(null, new Date()), false);
  });

  test('off keeps the post back; silent and quiet hours deliver without notification; urgent ops bypass quiet hours', () => {
    const p = defaultPolicy();
    p.quiet = { start: '22:00', end: '07:00' };
    p.routes.scans = { mode: 'off', channelId: null };
    p.routes.digests = { mode: 'silent', channelId: '123456789012345678' };
    const night = new Date('2024-01-16T04:00:00Z');
    const noon = new Date('2024-01-16T17:00:00Z');
    assert.equal(decide(p, buildPost({ kind: 'scans', title: 'x' }), noon).deliver, false);
    assert.deepEqual(decide(p, buildPost({ kind: 'digests', title: 'x' }), noon), { deliver: true, silent: true, channelId: '123456789012345678', why: 'digests alerts are silent' });
    assert.equal(decide(p, buildPost({ kind: 'signals', title: 'x' }), night).silent, true);
    assert.equal(decide(p, buildPost({ kind: 'signals', title: 'x' }), noon).silent, false);
    assert.equal(decide(p, buildPost({ kind: 'ops', title: 'job failed', urgent: true }), night).silent, false);
    assert.equal(decide(p, buildPost({ kind: 'ops', title: 'summary' }), night).silent, true);
  });
});

describe('alert policy (stored)', () => {
  beforeEach(clearCollections);

  test('changes are validated, audited and applied to delivery', async () => {
    await assert.rejects(setRoute('memes', { mode: 'on' }, admin), /"memes" is not an alert type; allowed: signals, trades, scans, digests, tuning, ops/);
    await assert.rejects(setRoute('scans', { mode: 'loud' }, admin), /mode "loud" is not allowed; allowed: on, silent, off/);
    await assert.rejects(setQuietHours({ start: '25:00', end: '07:00' }, admin), /start "25:00" must be a time HH:MM/);
    assert.equal(await AuditEntry.countDocuments(), 0, 'refused changes change nothing');
    await setRoute('scans', { mode: 'off' }, admin);
    await setRoute('trades', { mode: 'silent', channelId: '223456789012345678' }, admin);
    const policy = await loadPolicy(0);
    assert.equal(policy.routes.scans.mode, 'off');
    assert.equal(await AuditEntry.countDocuments({ action: 'alerts.route', result: 'ok' }), 2);

    await enqueuePost('scan-1', { kind: 'scans', title: 'Scan' });
    await enqueuePost('trade-1', { kind: 'trades', title: 'Trades' });
    const got: Delivery[] = [];
    const sink: Sink = { name: 'rec', send: async (d) => (got.push(d), { sink: 'rec' }) };
    const r = await deliverDue({ sinkFor: () => sink, decide: (post, now) => decide(policy, post, now) });
    assert.equal(r.suppressed, 1);
    assert.equal(r.sent, 1);
    assert.equal(got.length, 1);
    assert.equal(got[0]!.silent, true);
    assert.equal(got[0]!.channelId, '223456789012345678');
    assert.equal((await Outbox.findOne({ idempotencyKey: 'scan-1' }).lean())?.status, 'suppressed');
  });
});
