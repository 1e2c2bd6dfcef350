import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pingDatabase } from '../db/connection.js';
import { describeError } from '../errors.js';
import { DASHBOARD_PATH } from './dashboard.js';
import { registry } from './metrics.js';

export interface AdminServerOptions {
  port: number;
  host: string;
  /** True once this process's scheduler (or bot) has started: part of readiness. */
  started: () => boolean;
  /** Agendash under /dash, when an admin token is configured. */
  dashboard?: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
}

/**
 * The admin HTTP port (METRICS_PORT; off by default, loopback by default): `/metrics` for Prometheus,
 * `/healthz` (the process is up) and `/readyz` (database reachable and the scheduler started) for
 * container orchestrators and Docker's HEALTHCHECK.
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
        if (!opts.started()) problems.push('scheduler: not started');
        return res.writeHead(problems.length ? 503 : 200, { 'content-type': 'text/plain' }).end(problems.length ? `${problems.join('\n')}\n` : 'ready\n');
      }
      if (path === '/metrics') return res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
      if (opts.dashboard && (path === DASHBOARD_PATH || path?.startsWith(`${DASHBOARD_PATH}/`))) return opts.dashboard(req, res);
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: try /metrics, /healthz, /readyz${opts.dashboard ? ` or ${DASHBOARD_PATH}/` : ''}\n`);
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(opts.port, opts.host, r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
