// The soak's two-day version (`npm run soak -- --days 2`, scripts/soak.ts): the whole schedule of two trading days
// on the controlled clock, two workers and a bot against the Discord stand-in and the demo market served over
// Polygon's HTTP API, with a worker killed, Discord and the provider refusing for a while and a burst of commands
// (seeded). Its invariants are asserted; the figures are printed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.js';

test('two trading days of the schedule with faults: no slot twice or lost, no post doubled or lost, ledgers add up', { timeout: 12 * 60_000 }, async () => {
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', 'scripts/soak.ts', '--days', '2', '--seed', '3', '--faults', 'kill,discord,provider,burst'], {
      cwd: PROJECT_ROOT, env: { ...process.env, MONGODB_URI: '', NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    c.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      process.stdout.write(d);
    });
    c.stderr.on('data', (d: Buffer) => (text += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`soak exited ${code}:\n${text.slice(-3000)}`))));
  });
  const figure = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)`, 'm').exec(out);
    assert.ok(m, `the soak printed ${name}`);
    return m[1]!;
  };
  assert.equal(figure('soak_days'), '2');
  assert.ok(Number(figure('soak_faults_injected')) > 0, 'faults were injected');
  assert.ok(Number(figure('soak_due_runs')) > 40, 'two days of due runs');
  assert.ok(Number(figure('soak_provider_requests')) > 0, 'the workers fetched over HTTP');
  for (const name of ['soak_slots_run_twice', 'soak_slots_lost', 'soak_posts_doubled', 'soak_posts_lost', 'soak_leases_of_dead_stuck', 'soak_ledger_mismatches']) assert.equal(figure(name), '0', name);
});
