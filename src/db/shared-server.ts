import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { UserFacingError } from '../errors.js';
import { isAlive, waitForHello, type DatabaseHandle } from './server-handle.js';
import { ensureLocalDbBinary } from './localdb-binary.js';

/**
 * The embedded FerretDB as a shared service of its data folder.
 *
 * - One server per folder: the helper takes an exclusive flock on <dir>/server.lock before it opens
 *   the SQLite files, so parallel cold starts cannot start two (the losers exit with status 3).
 * - Kept alive while any client uses it: each process of ours registers <dir>/clients/<pid> (holding
 *   its start time, so a reused pid does not count); the server stops a short grace after the last
 *   live client is gone (left, crashed or killed), so no orphan is left either way.
 * - Restartable: the folder keeps its port (<dir>/port), so when the server dies and any client
 *   starts it again, every connected driver reconnects to the same address on its own. When anything
 *   else holds that port (another program took it, or a copied folder runs beside its original), the
 *   server takes a new one at once and clients read it from server.json (a worker connected to the
 *   old address stops, saying so: its handle's uri changed).
 */

/** The embedded database cannot be used (its folder, or it would not start): said plainly, exit 2. */
export class LocalDatabaseError extends UserFacingError {
  constructor(message: string) {
    super('LOCAL_DB', message);
  }
}

interface ServerFile {
  pid: number;
  uri: string;
}

const registered = new Set<string>();
let exitHookInstalled = false;

/** This process's start time in clock ticks since boot (field 22 of /proc/self/stat); "0" without /proc. */
function ownStartTime(pid = process.pid): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '0';
  } catch {
    return '0';
  }
}

function clientsDir(dir: string): string {
  return join(dir, 'clients');
}

/**
 * mkdir -p one level at a time. Node's recursive mkdirSync loops without end under some pseudo
 * file systems (/proc/1/nope: tens of thousands of failed mkdirs a second); this fails at once.
 */
export function makeDirs(path: string): void {
  const abs = resolve(path);
  const parts = abs.split(sep).filter(Boolean);
  let cur: string = sep;
  for (const part of parts) {
    cur = join(cur, part);
    if (existsSync(cur)) {
      if (!statSync(cur).isDirectory()) throw Object.assign(new Error(`${cur} is not a folder`), { code: 'ENOTDIR' });
      continue;
    }
    mkdirSync(cur);
  }
}

function prepareFolder(dir: string): void {
  try {
    makeDirs(clientsDir(dir));
    // Prove we can write here before anything waits on it.
    const probe = join(dir, `.probe-${process.pid}`);
    closeSync(openSync(probe, 'w'));
    unlinkSync(probe);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new LocalDatabaseError(
      `LOCAL_DB_DIR: cannot use "${dir}" for the embedded database (${reason}); give a folder this user can create and write, or set MONGODB_URI.`,
    );
  }
}

function register(dir: string): void {
  const file = join(clientsDir(dir), String(process.pid));
  writeFileSync(file, `${ownStartTime()}\n`);
  registered.add(file);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const f of registered) {
        try {
          unlinkSync(f);
        } catch {
          // already gone
        }
      }
    });
  }
}

function unregister(dir: string): void {
  const file = join(clientsDir(dir), String(process.pid));
  registered.delete(file);
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function readServerFile(dir: string): ServerFile | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as ServerFile;
    return typeof info.pid === 'number' && typeof info.uri === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

function spawnServer(binary: string, dir: string, idleGraceMs: number): void {
  // Detached, in its own session: it serves every client of the folder, not just this process.
  const logFd = openSync(join(dir, 'localdb.log'), 'a');
  const child = spawn(binary, ['-shared', '-dir', dir, '-log-level', 'error', '-idle-grace', `${Math.max(100, idleGraceMs)}ms`], {
    detached: true,
    stdio: ['ignore', 'ignore', logFd],
  });
  child.on('error', () => undefined);
  child.unref();
  closeSync(logFd);
}

/** The running server of the folder, starting one if none answers. */
async function ensureServer(binary: string, dir: string, timeoutMs: number, idleGraceMs: number): Promise<{ info: ServerFile; startedHere: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let lastSpawn = 0;
  let startedHere = false;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const info = readServerFile(dir);
    if (info && isAlive(info.pid)) {
      try {
        await waitForHello(info.uri, 1_500);
        return { info, startedHere };
      } catch (err) {
        lastError = err;
      }
    } else if (Date.now() - lastSpawn > 3_000) {
      // Any number of clients may spawn at once: the folder's lock lets exactly one serve.
      spawnServer(binary, dir, idleGraceMs);
      lastSpawn = Date.now();
      startedHere = true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let log = '';
  try {
    log = readFileSync(join(dir, 'localdb.log'), 'utf8').slice(-1_000);
  } catch {
    // no log yet
  }
  throw new LocalDatabaseError(`the embedded database in ${dir} did not start within ${timeoutMs} ms${lastError ? ` (${String(lastError)})` : ''}${log ? `: ${log}` : ''}`);
}

export async function joinSharedFerretDb(opts: { dir: string; timeoutMs?: number | undefined; idleGraceMs?: number | undefined }): Promise<DatabaseHandle> {
  const binary = ensureLocalDbBinary();
  prepareFolder(opts.dir);
  register(opts.dir);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const idleGraceMs = opts.idleGraceMs ?? 3_000;
  let current: ServerFile;
  let startedHere: boolean;
  try {
    ({ info: current, startedHere } = await ensureServer(binary, opts.dir, timeoutMs, idleGraceMs));
  } catch (err) {
    unregister(opts.dir);
    throw err;
  }
  let restarting: Promise<void> | undefined;
  const handle: DatabaseHandle = {
    uri: current.uri,
    kind: 'ferretdb',
    owned: startedHere,
    pid: current.pid,
    async stop() {
      unregister(opts.dir);
    },
    ensureRunning() {
      restarting ??= (async () => {
        if (isAlive(current.pid)) return;
        const { info } = await ensureServer(binary, opts.dir, timeoutMs, idleGraceMs);
        current = info;
        handle.pid = info.pid;
        // Normally the same address (the folder keeps its port); a new one when something else took it.
        handle.uri = info.uri;
      })().finally(() => {
        restarting = undefined;
      });
      return restarting;
    },
  };
  return handle;
}

/** Wait until the folder's server has exited (after its last client left), e.g. before deleting the folder. */
export async function waitForServerExit(dir: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = readServerFile(dir);
    if (!info || !isAlive(info.pid)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
