import type { Logger } from 'pino';
import { describeError } from '../errors.js';
import { pingDatabase } from './connection.js';

export interface DbMonitor {
  /** True while the last ping answered. */
  readonly up: boolean;
  stop(): void;
}

export interface DbMonitorOptions {
  everyMs?: number;
  logger: Logger;
  /** Called once each time the database comes back after an outage (the worker recovers runs then). */
  onBack?: (downForMs: number) => void;
  /** A hook for the embedded database: restart a server that died (no-op for an external URI). */
  onDown?: () => Promise<void>;
  ping?: () => Promise<number>;
}

/**
 * Watch the database with a ping every few seconds and say so once when it goes away and once when
 * it is back; while it is away nothing else should log per failed poll (see throttleErrors).
 */
export function monitorDatabase(opts: DbMonitorOptions): DbMonitor {
  const ping = opts.ping ?? pingDatabase;
  let up = true;
  let downSince = 0;
  let busy = false;
  const tick = async (): Promise<void> => {
    try {
      await ping();
      if (!up) {
        const downFor = Date.now() - downSince;
        up = true;
        opts.logger.warn({ downForMs: downFor }, 'database is back; resuming');
        opts.onBack?.(downFor);
      }
    } catch (err) {
      if (up) {
        up = false;
        downSince = Date.now();
        opts.logger.error({ err: describeError(err) }, 'database unreachable; jobs and deliveries pause and retry until it is back');
      }
      await opts.onDown?.().catch(() => undefined);
    }
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void tick().finally(() => {
      busy = false;
    });
  }, opts.everyMs ?? 3_000);
  timer.unref();
  return {
    get up() {
      return up;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/**
 * Log a recurring error the first time, then at most one line per `windowMs` with how many there
 * were: an outage costs a few lines a minute, not one per poll.
 */
export function throttleErrors(logger: Logger, msg: string, windowMs = 60_000): (err: unknown) => void {
  let windowStart = 0;
  let suppressed = 0;
  return (err: unknown) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      logger.error({ err: describeError(err), ...(suppressed ? { suppressedSinceLast: suppressed } : {}) }, msg);
      windowStart = now;
      suppressed = 0;
    } else {
      suppressed++;
    }
  };
}
