import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

/** Real processes of ours (workers, CLI runs) on one shared data folder: the suite's moving parts. */
export interface Proc {
  child: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
  /** Resolves when a line of its stdout matches. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
}

export function startProc(args: string[], env: Record<string, string>, logFile: string): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, MONGODB_URI: '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  let buffer = '';
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  child.stdout!.on('data', (d: Buffer) => {
    log.write(d);
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => log.write(d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => {
    log.end();
    res(code);
  }));
  return {
    child,
    pid: child.pid!,
    exited,
    waitFor(re, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms (see ${logFile})`)), timeoutMs);
        waiters.push({ re, resolve: (l) => { clearTimeout(timer); resolve(l); } });
      });
    },
  };
}

export function worker(env: Record<string, string>, logFile: string): Proc {
  return startProc([join('src', 'main.ts'), 'worker', '--no-bot'], env, logFile);
}

export function cli(args: string[], env: Record<string, string>, logFile: string): Proc {
  return startProc([join('src', 'cli', 'main.ts'), ...args], env, logFile);
}

export { isAlive as alive } from '../../src/db/local-server.js';

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A Discord webhook stand-in that records every POST as "title|timestamp": webhooks have no nonce,
 * and the embed timestamp is the moment the outbox row was queued, so it tells rows apart.
 */
export class WebhookCounter {
  readonly titles: string[] = [];
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/webhooks/123456/reliability-token`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        try {
          const json = JSON.parse(body || '{}') as { embeds?: Array<{ title?: string; timestamp?: string }> };
          this.titles.push(`${json.embeds?.[0]?.title ?? ''}|${json.embeds?.[0]?.timestamp ?? ''}`);
        } catch {
          this.titles.push('');
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: String(this.titles.length) }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  count(pred: (title: string) => boolean): number {
    return this.titles.filter(pred).length;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

/** One figure a line, as the issue asks: "name value". */
export function figure(name: string, value: number | string): void {
  process.stdout.write(`${name} ${value}\n`);
}
