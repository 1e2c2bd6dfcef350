import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AlertState } from '../db/models/alert-state.js';
import { Outbox } from '../db/models/outbox.js';

/**
 * Prometheus metrics for one process. Recording is a no-op cost when nobody scrapes; the outbox depth
 * and open alerts are read from the database at scrape time.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'signaldesk_process_' });

export const jobRuns = new Counter({ name: 'signaldesk_job_runs_total', help: 'Job runs by job and outcome', labelNames: ['job', 'outcome'] as const, registers: [registry] });
export const jobDuration = new Histogram({
  name: 'signaldesk_job_duration_seconds', help: 'Job run duration by job and outcome', labelNames: ['job', 'outcome'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900], registers: [registry],
});
export const providerRequests = new Counter({ name: 'signaldesk_provider_requests_total', help: 'Market-data requests by provider and HTTP status (or failure kind)', labelNames: ['provider', 'status'] as const, registers: [registry] });
export const cacheLookups = new Counter({ name: 'signaldesk_bar_cache_total', help: 'Symbol-days asked for by the market-data update: served from the cache (hit) or fetched (miss)', labelNames: ['result'] as const, registers: [registry] });
export const commandLatency = new Histogram({
  name: 'signaldesk_slash_command_seconds', help: 'Slash-command handling time by command', labelNames: ['command'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 10], registers: [registry],
});
new Gauge({
  name: 'signaldesk_outbox_depth', help: 'Posts waiting to be delivered (pending) and given up (dead)', labelNames: ['status'] as const, registers: [registry],
  async collect() {
    const [pending, dead] = await Promise.all([Outbox.countDocuments({ status: 'pending' }), Outbox.countDocuments({ status: 'dead' })]).catch(() => [NaN, NaN]);
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
