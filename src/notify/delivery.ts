import type { Env } from '../config/env.js';
import { decide, loadPolicy } from './alert-policy.js';
import { deliverDue, type DeliverReport } from './outbox.js';
import { createSinkRouter, type SinkRouter } from './router.js';
import type { Sink } from './sinks/sink.js';

let router: SinkRouter | undefined;
let routerEnv: Env | undefined;

/** Use this console sink (tests capture output through it) instead of stdout. */
export function useSinkRouter(env: Env, consoleSink?: Sink): SinkRouter {
  router?.close();
  router = createSinkRouter(env, consoleSink);
  routerEnv = env;
  return router;
}

/** Deliver what is due through the sinks the environment configures. */
export async function deliverPending(env: Env, limit = 50): Promise<DeliverReport> {
  if (!router || routerEnv !== env) useSinkRouter(env);
  const policy = await loadPolicy();
  return deliverDue({ sinkFor: (k, c) => router!.sinkFor(k, c), decide: (post, now) => decide(policy, post, now), limit });
}

export function closeSinks(): void {
  router?.close();
  router = undefined;
  routerEnv = undefined;
}
