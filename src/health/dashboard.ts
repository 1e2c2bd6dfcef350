import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Agenda } from 'agenda';
import { createExpressMiddleware } from 'agendash';
import express from 'express';

export const DASHBOARD_PATH = '/dash';
const COOKIE = 'signaldesk_admin';

/** Constant-time comparison of two secrets (hashed first, so lengths do not leak either). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const cookie = (req.headers.cookie ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${COOKIE}=`));
  if (cookie) return decodeURIComponent(cookie.slice(COOKIE.length + 1));
  return new URL(req.url ?? '/', 'http://admin').searchParams.get('token') ?? undefined;
}

/**
 * Agendash on the admin port, behind ADMIN_TOKEN: a bearer header, or `?token=` once (it becomes an
 * HttpOnly cookie for the dashboard's own API calls). Read-only unless `write`: requeue, delete, create,
 * pause and resume are refused with 403.
 */
export function dashboardHandler(agenda: Agenda, opts: { token: string; write: boolean }): (req: IncomingMessage, res: ServerResponse) => void {
  const app = express();
  app.disable('x-powered-by');
  app.use(DASHBOARD_PATH, (req, res, next) => {
    const token = presentedToken(req);
    if (!token || !sameSecret(token, opts.token)) {
      res.status(401).type('text/plain').send('unauthorized: give the admin token (Authorization: Bearer …, or ?token=… once)\n');
      return;
    }
    if (new URL(req.originalUrl, 'http://admin').searchParams.has('token')) {
      res.cookie(COOKIE, token, { httpOnly: true, sameSite: 'strict', path: DASHBOARD_PATH });
    }
    if (!opts.write && req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(403).type('text/plain').send('the dashboard is read-only (set DASHBOARD_WRITE=on to allow changes)\n');
      return;
    }
    next();
  });
  app.use(DASHBOARD_PATH, createExpressMiddleware(agenda));
  return (req, res) => app(req as express.Request, res as express.Response);
}
