import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { EnvError, parseEnvVars } from '../../src/config/env.js';
import { PROJECT_ROOT } from '../../src/paths.js';

function problems(raw: Record<string, string>): string[] {
  try {
    parseEnvVars(raw);
  } catch (err) {
    assert.ok(err instanceof EnvError);
    return err.problems;
  }
  assert.fail('expected the environment to be refused');
}

describe('environment', () => {
  test('defaults: demo provider, New York schedule, console posts', () => {
    const env = parseEnvVars({});
    assert.equal(env.MARKET_DATA_PROVIDER, 'demo');
    assert.equal(env.SCHEDULE_TIMEZONE, 'America/New_York');
    assert.equal(env.DISCORD_TOKEN, undefined);
    assert.deepEqual(env.MARKET_UNIVERSE, ['SPX', 'SPY', 'QQQ', 'DIA']);
  });

  test('each bad variable is named with its problem and what is allowed', () => {
    const p = problems({ LOG_LEVEL: 'loud', SCHEDULE_TIMEZONE: 'Mars/Olympus', WORKER_MAX_CONCURRENCY: '0' });
    assert.equal(p.length, 3);
    assert.match(p.find((x) => x.startsWith('LOG_LEVEL'))!, /allowed: fatal, error, warn, info, debug, trace or silent/);
    assert.match(p.find((x) => x.startsWith('SCHEDULE_TIMEZONE'))!, /IANA time zone/);
    assert.match(p.find((x) => x.startsWith('WORKER_MAX_CONCURRENCY'))!, /1 to 64/);
  });

  test('a provider without its key is refused; secret values are never echoed', () => {
    const p = problems({ MARKET_DATA_PROVIDER: 'polygon', MONGODB_URI: 'postgres://admin:hunter2@db/x' });
    assert.ok(p.some((x) => /^MONGODB_URI must start with mongodb:\/\//.test(x)));
    assert.ok(p.every((x) => !x.includes('hunter2')), 'the URI (with its password) is not shown');
    const q = problems({ MARKET_DATA_PROVIDER: 'polygon' });
    assert.deepEqual(q, ['POLYGON_API_KEY is required when MARKET_DATA_PROVIDER=polygon (not set)']);
  });

  test('a bad env var makes the CLI exit non-zero with the variable named, and no stack trace', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'health'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DISCORD_ADMIN_ROLE_IDS: 'admins', LOG_LEVEL: 'silent' },
      timeout: 30_000,
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /DISCORD_ADMIN_ROLE_IDS must be a Discord id \(17 to 20 digits\) \(got "admins"\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});
