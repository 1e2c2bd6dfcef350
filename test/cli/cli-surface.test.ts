import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MongoClient } from 'mongodb';
import { classify, CLI_COMMANDS, EXIT, runCli, USAGE } from '../../src/cli/cli.js';
import { COMMANDS } from '../../src/cli/command-table.js';
import { completionScript, completionWords } from '../../src/cli/completion.js';
import { ProviderError } from '../../src/market-data/provider.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { testUri } from '../helpers/db.js';
import { useReplayServer } from '../helpers/use-replay-server.js';

const dbName = `t_clisurf_${randomBytes(3).toString('hex')}`;
const uri = `${testUri().replace(/\/$/, '')}/${dbName}`;

async function cli(args: string[], env: Record<string, string> = {}, tty = { out: false, err: false }): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env: { MONGODB_URI: uri, LOG_LEVEL: 'silent', ...env }, tty });
  return { code, out, err };
}

/** A loopback port nothing listens on (taken, then closed). */
function closedPort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

describe('CLI surface: runtime, exit codes, completion, colours, start-up', () => {
  const server = useReplayServer();
  after(async () => {
    const c = await new MongoClient(testUri()).connect();
    await c.db(dbName).dropDatabase();
    await c.close();
  });

  test('the pinned runtime runs the tests: the node-linux-* package npm ci installed, Node 24', () => {
    assert.equal(Number(process.versions.node.split('.')[0]), 24, `running on ${process.version}`);
    const pinned = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', `node-linux-${process.arch}`, 'package.json'), 'utf8')) as { version: string };
    assert.equal(process.versions.node, pinned.version, 'the tests run on the runtime package.json pins, not on the system node');
    const viaBin = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'node'), ['--version'], { encoding: 'utf8' });
    assert.equal(viaBin.stdout.trim(), process.version);
  });

  test('an older node is handed to the pinned runtime by bin/signaldesk.js (or told in one line what to install)', () => {
    // A stand-in "old node": this node with process.versions.node reported as 20 (a preload), running the bin.
    const dir = mkdtempSync(join(tmpdir(), 'oldnode-'));
    try {
      const preload = join(dir, 'old.cjs');
      writeFileSync(preload, "Object.defineProperty(process.versions, 'node', { value: '20.19.0' });\n");
      const r = spawnSync(process.execPath, ['--require', preload, join(PROJECT_ROOT, 'bin', 'signaldesk.js'), '--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /usage: signaldesk <command>/, 'the pinned runtime answered');
      const check = spawnSync(process.execPath, ['--require', preload, '--import', 'tsx', join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), '--help'], { encoding: 'utf8' });
      assert.equal(check.status, 2);
      assert.equal(check.stdout, '');
      assert.match(check.stderr, /^signaldesk needs Node\.js 24 or newer \(this is v[\d.]+\): .*install Node 24 LTS\.\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('exit codes, one per class of failure: 0 ok, 2 bad input, 3 provider or plan, 4 database, 1 unexpected', async () => {
    assert.equal((await cli(['universe', '--json'])).code, EXIT.ok);
    for (const bad of [['nope'], ['portfolio', '--date', '2020-02-30'], ['completion', 'fish'], ['--bogus']]) {
      const r = await cli(bad);
      assert.equal(r.code, EXIT.usage, `${bad.join(' ')}: ${r.err}`);
      assert.match(r.err, /allowed|give|needs|Unknown option/);
    }
    // A provider that refuses (Polygon's NOT_AUTHORIZED on a free key): the run keeps what it has and says
    // the provider stopped early; the status is 3 so a script notices.
    server.on('GET', /.*/, { status: 403, fixture: 'polygon-403-not-authorized.json' });
    const refused = await cli(['run', 'fetch-market-data', '--date', '2024-03-15', '--json'], {
      MARKET_DATA_PROVIDER: 'polygon', POLYGON_API_KEY: 'test-key-0123456789', POLYGON_BASE_URL: server.url,
    });
    assert.equal(refused.code, EXIT.provider, refused.err);
    const run = JSON.parse(refused.out) as { status: string; summary: { stopped: string } };
    assert.equal(run.status, 'succeeded');
    assert.match(run.summary.stopped, /not entitled|plan/);
    assert.ok(server.requests.length > 0, 'the provider was asked');
    // No database at the address: status 4, one line, the address not echoed (MONGODB_URI may hold a password).
    const port = await closedPort();
    const down = await cli(['portfolio'], { MONGODB_URI: `mongodb://user:hunter2@127.0.0.1:${port}/x` });
    assert.equal(down.code, EXIT.database, down.err);
    assert.match(down.err, /^error \[DATABASE\]: the database did not answer/);
    assert.doesNotMatch(down.err, /hunter2/);
    // The classes as classify() sees them, for errors the two cases above do not reach.
    assert.equal(classify(new ProviderError('polygon', '/v2/aggs', 'plan does not include this', false, 'plan'), 'chart')[0], EXIT.provider);
    assert.equal(classify(Object.assign(new Error('boom'), { name: 'TypeError' }), 'chart')[0], EXIT.error);
    assert.deepEqual([EXIT.ok, EXIT.error, EXIT.usage, EXIT.provider, EXIT.database], [0, 1, 2, 3, 4]);
    assert.match(USAGE, /Exit status: 0 ok · 1 unexpected error .* 2 bad input .*\n3 a provider or plan refused.* 4 not now: the database did not answer/);
  });

  test('completion: every command with its subcommands and flags; bash completes through the real shell', async () => {
    const jobs = ['fetch-market-data', 'generate-signal'];
    const table = completionWords(jobs);
    for (const [name, spec] of Object.entries(COMMANDS)) {
      const offered = table.get(name)!;
      for (const flag of spec.flags) assert.ok(offered.includes(flag), `${name} offers ${flag}`);
      for (const sub of spec.subcommands ?? []) assert.ok(offered.includes(sub), `${name} offers ${sub}`);
    }
    assert.deepEqual(table.get('run')!.slice(0, 2), jobs);
    for (const shell of ['bash', 'zsh'] as const) {
      const script = completionScript(shell, jobs);
      for (const name of CLI_COMMANDS) assert.match(script, new RegExp(`\\b${name}\\b`), `${shell} names ${name}`);
    }
    const r = await cli(['completion', 'bash']);
    assert.equal(r.code, 0);
    const complete = (words: string[]): string[] => {
      const line = `eval "$(cat)"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _signaldesk; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const res = spawnSync('bash', ['-c', line], { input: r.out, encoding: 'utf8' });
      assert.equal(res.status, 0, res.stderr);
      return res.stdout.split('\n').filter(Boolean);
    };
    assert.deepEqual(complete(['signaldesk', 'por']), ['portfolio']);
    assert.ok(complete(['signaldesk', 'run', 'fetch']).includes('fetch-market-data'), 'job names from jobs/');
    assert.deepEqual(complete(['signaldesk', 'pnl', '--period', 'w']), ['weekly']);
    assert.deepEqual(complete(['signaldesk', 'trades', '--sy']), ['--symbol']);
    const zsh = await cli(['completion', 'zsh']);
    assert.match(zsh.out, /^#compdef signaldesk/);
  });

  test('colours only on a terminal and never with NO_COLOR; --json never coloured', async () => {
    const tty = { out: true, err: true };
    const esc = /\x1b\[/;
    assert.match((await cli(['universe'], {}, tty)).out, esc, 'a terminal gets colour');
    assert.doesNotMatch((await cli(['universe'], { NO_COLOR: '1' }, tty)).out, esc, 'NO_COLOR turns it off');
    assert.doesNotMatch((await cli(['universe'], { TERM: 'dumb' }, tty)).out, esc);
    assert.doesNotMatch((await cli(['universe'])).out, esc, 'a pipe gets none');
    assert.doesNotMatch((await cli(['universe', '--json'], {}, tty)).out, esc);
    const bad = await cli(['nope', 'x'], {}, tty);
    assert.equal(bad.code, EXIT.usage);
    assert.doesNotMatch((await cli(['completion'], { NO_COLOR: '1' }, tty)).err, esc);
  });

  test('reads start without discord.js, the chart renderer or Agenda (portfolio, jobs, health); --help loads no database code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clitrace-'));
    const hook = join(dir, 'trace.mjs');
    writeFileSync(hook, [
      "import { registerHooks } from 'node:module';",
      "import { writeFileSync } from 'node:fs';",
      'const seen = new Set();',
      'registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.add(r.url); return r; } });',
      "process.on('exit', () => writeFileSync(process.env.TRACE_OUT, [...seen].join('\\n')));",
    ].join('\n'));
    const loaded = async (args: string[]): Promise<string[]> => {
      const out = join(dir, `${args.join('_')}.txt`);
      const code = await new Promise<number | null>((res) => {
        const child = spawn(process.execPath, ['--import', hook, '--import', 'tsx', 'src/cli/main.ts', ...args], {
          cwd: PROJECT_ROOT, env: { ...process.env, MONGODB_URI: uri, LOG_LEVEL: 'silent', TRACE_OUT: out }, stdio: 'ignore',
        });
        child.on('exit', res);
      });
      assert.equal(code, 0, `${args.join(' ')} exited ${code}`);
      return readFileSync(out, 'utf8').split('\n');
    };
    try {
      const heavy = /node_modules\/(discord\.js|@discordjs|@napi-rs\/canvas|agenda|@agendajs)\//;
      for (const args of [['portfolio', '--json'], ['jobs', '--json'], ['health', '--json']]) {
        const urls = await loaded(args);
        assert.ok(urls.some((u) => u.includes('node_modules/mongoose/')), `${args[0]}: the trace sees the modules it loads`);
        assert.deepEqual(urls.filter((u) => heavy.test(u)), [], `${args[0]} loads none of discord.js, canvas, Agenda`);
      }
      const help = await loaded(['--help']);
      assert.deepEqual(help.filter((u) => /node_modules\/(mongoose|mongodb|axios)\//.test(u) || heavy.test(u)), [], '--help loads no database, HTTP or heavy code');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
