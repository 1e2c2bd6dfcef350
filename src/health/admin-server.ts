import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pingDatabase } from '../db/connection.js';
import { describeError } from '../errors.js';
import { DASHBOARD_PATH } from './dashboard.js';
import { registry } from './metrics.js';

export interface AdminServerOptions {
  port: number;
  host: string;
  /** What this process still waits for before it is ready (empty: ready), besides the database ping. */
  waitingFor: () => string[];
  /** Agendash under /dash, when an admin token is configured (it may arrive once the scheduler runs). */
  dashboard?: () => ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
}

/**
 * The admin HTTP port (METRICS_PORT; off by default, loopback by default): `/metrics` for Prometheus,
 * `/healthz` (the process is up: Docker's HEALTHCHECK and liveness probes) and `/readyz` (database
 * reachable, catch-up done, scheduler started; a 503 names what it still waits for, e.g. "catch-up: 3
 * of 34 runs"). It is started before anything else, so it answers from the process's first second.
 */
export async function startAdminServer(opts: AdminServerOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    void (async () => {
      if (req.method !== 'GET' && !path?.startsWith(DASHBOARD_PATH)) return res.writeHead(405, { allow: 'GET' }).end();
      if (path === '/healthz') return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      if (path === '/readyz') {
        const problems: string[] = [];
        try {
          await pingDatabase();
        } catch (err) {
          problems.push(`database: ${describeError(err)}`);
        }
        problems.push(...opts.waitingFor());
        return res.writeHead(problems.length ? 503 : 200, { 'content-type': 'text/plain' }).end(problems.length ? `${problems.join('\n')}\n` : 'ready\n');
      }
      if (path === '/metrics') return res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
      const dash = opts.dashboard?.();
      if (dash && (path === DASHBOARD_PATH || path?.startsWith(`${DASHBOARD_PATH}/`))) return dash(req, res);
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: try /metrics, /healthz, /readyz${dash ? ` or ${DASHBOARD_PATH}/` : ''}\n`);
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(opts.port, opts.host, r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
