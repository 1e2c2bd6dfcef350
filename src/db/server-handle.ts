import { createServer } from 'node:net';
import { MongoClient } from 'mongodb';

/**
 * What a running database server is to its users (a handle) and the probes both ways of running one need
 * (local-server.ts starts child servers, shared-server.ts joins the shared embedded one): is a process alive,
 * does a server answer `hello`, which loopback port is free.
 */
export type DatabaseKind = 'external' | 'mongod' | 'ferretdb';

export interface DatabaseHandle {
  uri: string;
  kind: DatabaseKind;
  /** True when this process started the server (the shared embedded one outlives it while others use it). */
  owned: boolean;
  pid: number | undefined;
  /** Leave the server: a child server is stopped; the shared embedded one stops when its last client has left. */
  stop(): Promise<void>;
  /** Restart the shared embedded server if it died (same folder, same port); a no-op otherwise. */
  ensureRunning(): Promise<void>;
}

export async function waitForHello(uri: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1_000, directConnection: true });
    try {
      await client.connect();
      await client.db('admin').command({ hello: 1 });
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.close().catch(() => undefined);
    }
  }
  throw new Error(`database at ${uri} did not answer hello within ${timeoutMs} ms: ${String(lastError)}`);
}

/** A TCP port free on loopback right now (the embedded server's; also the admin port in tests and benches). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
