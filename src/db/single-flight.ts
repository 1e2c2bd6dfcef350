/**
 * Identical reads in flight at the same moment share one trip to the database: a burst of the same
 * command (fifty members asking /portfolio after the digest) costs one read, not fifty. Nothing is kept
 * once the read settles, so a caller sees data no older than a read that was already under way when it
 * asked. Only for views whose callers do not change the result (it is shared), and never for what plans
 * an effect (execution plans against its own fresh read of the ledger).
 */
const inFlight = new Map<string, Promise<unknown>>();

export function singleFlight<T>(key: string, read: () => Promise<T>): Promise<T> {
  const running = inFlight.get(key);
  if (running) return running as Promise<T>;
  const p = read().finally(() => inFlight.delete(key));
  inFlight.set(key, p);
  return p;
}
