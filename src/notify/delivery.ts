import type { Env } from '../config/env.js';
import { decide, loadPolicy } from './alert-policy.js';
import { deliverDue, setDestinationResolver, type DeliverReport } from './outbox.js';
import { createSinkRouter, type SinkRouter } from './router.js';
import type { Sink } from './sinks/sink.js';

let router: SinkRouter | undefined;
let routerEnv: Env | undefined;

/**
 * This process's sinks (tests pass a console sink that captures output). Posts queued from now on
 * are addressed from the same routing, so whoever queues a post and whoever may deliver it agree.
 */
export function useSinkRouter(env: Env, consoleSink?: Sink): SinkRouter {
  router?.close();
  const r = createSinkRouter(env, consoleSink);
  router = r;
  routerEnv = env;
  setDestinationResolver((k) => r.destinationFor(k));
  return r;
}

/** Deliver what is due and this process can serve, through the sinks the environment configures. */
export async function deliverPending(env: Env, limit = 50): Promise<DeliverReport> {
  if (!router || routerEnv !== env) useSinkRouter(env);
  const r = router!;
  const policy = await loadPolicy();
  return deliverDue({ sinkFor: (d, k, c) => r.sinkFor(d, k, c), decide: (post, now) => decide(policy, post, now), limit });
}

export function closeSinks(): void {
  router?.close();
  router = undefined;
  routerEnv = undefined;
  setDestinationResolver(undefined);
}
