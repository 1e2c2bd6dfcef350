import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../paths.js';
import { ensureLocalDbBinary } from './localdb-binary.js';
import { freePort, isAlive, waitForHello, type DatabaseHandle, type DatabaseKind } from './server-handle.js';
import { joinSharedFerretDb, makeDirs } from './shared-server.js';

export { freePort, isAlive, waitForHello, type DatabaseHandle, type DatabaseKind } from './server-handle.js';

/**
 * Where the database comes from, in this order:
 *   1. MONGODB_URI, when set (production: MongoDB >= 6, replica set or Atlas);
 *   2. a `mongod` found on PATH (data under <dataDir>/mongod), a child of this process;
 *   3. the embedded FerretDB v1 helper on SQLite (data under <dataDir>/ferretdb), the shared
 *      server of that folder (shared-server.ts): one per folder, alive while any process of ours
 *      uses it, restarted on the same port when it dies.
 */

export interface ResolveOptions {
  mongodbUri?: string | undefined;
  /** Base folder for local data; relative paths are under the project root. */
  dataDir?: string;
  /** FerretDB only: keep data in memory (tests). */
  memory?: boolean;
  /** Skip the mongod-on-PATH step (tests pin FerretDB). */
  preferEmbedded?: boolean;
  startTimeoutMs?: number;
  /** The shared embedded server stops this long after its last client left (default 3 s). */
  idleGraceMs?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a kill is.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}



function onPath(cmd: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '';
}


function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      live.delete(child);
      res();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      live.delete(child);
      res();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

interface ServerFile {
  pid: number;
  uri: string;
  kind: DatabaseKind;
}

/** A server another process of ours started on the same folder, if it still answers. */
async function reuseRunning(file: string): Promise<DatabaseHandle | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as ServerFile;
    if (!isAlive(info.pid)) return undefined;
    await waitForHello(info.uri, 2_000);
    return { uri: info.uri, kind: info.kind, owned: false, pid: info.pid, stop: async () => undefined, ensureRunning: async () => undefined };
  } catch {
    return undefined;
  }
}

function track(child: ChildProcess, kind: DatabaseKind, uri: string, serverFile?: string): DatabaseHandle {
  live.add(child);
  installExitHook();
  if (serverFile) writeFileSync(serverFile, JSON.stringify({ pid: child.pid ?? -1, uri, kind } satisfies ServerFile));
  let stopping: Promise<void> | undefined;
  return {
    uri,
    kind,
    owned: true,
    pid: child.pid,
    ensureRunning: async () => undefined,
    stop: () => {
      stopping ??= stopChild(child).then(() => {
        if (serverFile) rmSync(serverFile, { force: true });
      });
      return stopping;
    },
  };
}

/**
 * The embedded FerretDB. On a data folder it is the folder's shared server (see shared-server.ts):
 * one per folder, used by every process of ours on it. In memory (tests of the launcher itself) it is
 * a child of this process.
 */
export async function startFerretDb(opts: { dir: string; memory?: boolean; timeoutMs?: number; idleGraceMs?: number }): Promise<DatabaseHandle> {
  if (!opts.memory) return joinSharedFerretDb({ dir: opts.dir, timeoutMs: opts.timeoutMs, idleGraceMs: opts.idleGraceMs });
  return startChildFerretDb(opts);
}

/** A FerretDB that lives and dies with this process (in memory: no folder to share). */
async function startChildFerretDb(opts: { dir: string; memory?: boolean; timeoutMs?: number }): Promise<DatabaseHandle> {
  const binary = ensureLocalDbBinary();
  makeDirs(opts.dir);
  const args = ['-listen', '127.0.0.1:0', '-dir', opts.dir, '-log-level', 'error'];
  if (opts.memory) args.push('-memory');
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4_000);
  });
  const uri = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`FerretDB did not start in time: ${stderr}`)), opts.timeoutMs ?? 15_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^READY (mongodb:\/\/\S+)/.exec(line);
      if (m?.[1]) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`FerretDB exited with code ${code}: ${stderr}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      rej(err);
    });
  });
  return readyOrStopped(track(child, 'ferretdb', uri), opts.timeoutMs ?? 15_000);
}

/** The handle once the server answers hello; a server that never does is stopped, not left behind. */
async function readyOrStopped(handle: DatabaseHandle, timeoutMs: number): Promise<DatabaseHandle> {
  try {
    await waitForHello(handle.uri, timeoutMs);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

export async function startMongod(opts: { dir: string; timeoutMs?: number }): Promise<DatabaseHandle> {
  makeDirs(opts.dir);
  const serverFile = join(opts.dir, 'server.json');
  const running = await reuseRunning(serverFile);
  if (running) return running;
  const port = await freePort();
  const child = spawn('mongod', ['--dbpath', opts.dir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const uri = `mongodb://127.0.0.1:${port}/`;
  return readyOrStopped(track(child, 'mongod', uri, serverFile), opts.timeoutMs ?? 30_000);
}

export async function resolveDatabase(opts: ResolveOptions = {}): Promise<DatabaseHandle> {
  if (opts.mongodbUri) {
    return { uri: opts.mongodbUri, kind: 'external', owned: false, pid: undefined, stop: async () => undefined, ensureRunning: async () => undefined };
  }
  const base = opts.dataDir ?? '.data';
  const dataDir = isAbsolute(base) ? base : resolve(PROJECT_ROOT, base);
  if (!opts.preferEmbedded && onPath('mongod')) {
    return startMongod({ dir: join(dataDir, 'mongod'), timeoutMs: opts.startTimeoutMs });
  }
  return startFerretDb({ dir: join(dataDir, 'ferretdb'), memory: opts.memory, timeoutMs: opts.startTimeoutMs, idleGraceMs: opts.idleGraceMs });
}
