import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AlertState } from '../db/models/alert-state.js';
import { OutboxDead, OutboxQueue } from '../db/models/outbox.js';

/**
 * Prometheus metrics for one process. Recording is a no-op cost when nobody scrapes; the outbox depth
 * (from the queue, which stays as small as the backlog) and open alerts are read at scrape time.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'signaldesk_process_', eventLoopMonitoringPrecision: 100 });

export const jobRuns = new Counter({ name: 'signaldesk_job_runs_total', help: 'Job runs by job and outcome', labelNames: ['job', 'outcome'] as const, registers: [registry] });
export const jobDuration = new Histogram({
  name: 'signaldesk_job_duration_seconds', help: 'Job run duration by job and outcome', labelNames: ['job', 'outcome'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900], registers: [registry],
});
export const providerRequests = new Counter({ name: 'signaldesk_provider_requests_total', help: 'Market-data requests by provider and HTTP status (or failure kind)', labelNames: ['provider', 'status'] as const, registers: [registry] });
export const cacheLookups = new Counter({ name: 'signaldesk_bar_cache_total', help: 'Symbol-days of the history the market-data update keeps: read from storage (hit) or fetched (miss)', labelNames: ['result'] as const, registers: [registry] });
export const commandLatency = new Histogram({
  name: 'signaldesk_slash_command_seconds', help: 'Slash-command handling time by command', labelNames: ['command'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 10], registers: [registry],
});
// The event loop's delay beyond a 20 ms timer, p50/p99/max since the last scrape: how long a Discord
// event could wait before this process even looks at it (the default metric includes its 10 ms timer).
// A 20 ms probe: a 1 ms one woke an idle process a thousand times a second (about 2.5 % of a core).
const PROBE_MS = 20;
const loopDelay = monitorEventLoopDelay({ resolution: PROBE_MS });
loopDelay.enable();
new Gauge({
  name: 'signaldesk_event_loop_lag_ms', help: 'Event-loop delay beyond the 20 ms probe since the last scrape (p50, p99, max)', labelNames: ['quantile'] as const, registers: [registry],
  collect() {
    const ms = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - PROBE_MS) : 0);
    this.set({ quantile: 'p50' }, ms(loopDelay.percentile(50)));
    this.set({ quantile: 'p99' }, ms(loopDelay.percentile(99)));
    this.set({ quantile: 'max' }, ms(loopDelay.max));
    loopDelay.reset();
  },
});
new Gauge({
  name: 'signaldesk_outbox_depth', help: 'Posts waiting to be delivered (pending) and given up in the last week (dead)', labelNames: ['status'] as const, registers: [registry],
  async collect() {
    const [pending, dead] = await Promise.all([OutboxQueue.countDocuments({}), OutboxDead.countDocuments({})]).catch(() => [NaN, NaN]);
    this.set({ status: 'pending' }, pending!);
    this.set({ status: 'dead' }, dead!);
  },
});
new Gauge({
  name: 'signaldesk_open_alerts', help: 'Health-monitor rules currently firing', registers: [registry],
  async collect() {
    this.set(await AlertState.countDocuments({ open: true }).catch(() => NaN));
  },
});
