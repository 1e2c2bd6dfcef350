import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A reply the replay server gives: a recorded fixture file, a JSON value or raw text. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A file under test/fixtures/providers/. */
  fixture?: string;
  json?: unknown;
  text?: string;
  /** Raw bytes (a ZIP, a PDF). */
  bytes?: Buffer;
  /** Answer only after this long (a timeout test waits longer than the client does). */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

interface Route {
  method: string;
  path: string | RegExp;
  replies: Reply[];
  served: number;
}

const FIXTURES = new URL('../fixtures/providers/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/**
 * A local HTTP server standing in for a market-data provider: each route replays its replies in order
 * (the last one repeats) and every request is recorded. Nothing leaves 127.0.0.1.
 */
export class ReplayServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private server: Server | undefined;
  /** The base URL once started. */
  url = '';

  /** Add a route; replies are served in order, the last one again for every later request. */
  on(method: string, path: string | RegExp, ...replies: Reply[]): this {
    this.routes.push({ method, path, replies, served: 0 });
    return this;
  }

  /** Replace every route (between tests). */
  reset(): void {
    this.routes.length = 0;
    this.requests.length = 0;
  }

  requestsTo(path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers });
      const route = this.routes.find((r) => r.method === req.method && (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname)));
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'NOT_FOUND', message: `no route for ${url.pathname}` }));
        return;
      }
      const reply = route.replies[Math.min(route.served, route.replies.length - 1)]!;
      route.served++;
      const body = reply.bytes ? reply.bytes : reply.fixture ? fixture(reply.fixture) : reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...(reply.headers ?? {}) }).end(body);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** A clock whose sleeps are recorded and instant, so retry and rate-limit waits are exact and fast. */
export function manualClock(start = Date.parse('2024-03-15T21:00:00Z')) {
  let t = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += Math.max(0, ms);
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}
