import type { Env } from '../config/env.js';
import { UserFacingError } from '../errors.js';
import { DemoProvider } from './demo-provider.js';
import type { MarketDataProvider } from './provider.js';

let cached: { key: string; provider: MarketDataProvider } | undefined;

/** The configured primary provider (one instance per process). */
export function providerFor(env: Env): MarketDataProvider {
  const key = env.MARKET_DATA_PROVIDER;
  if (cached?.key === key) return cached.provider;
  let provider: MarketDataProvider;
  switch (key) {
    case 'demo':
      provider = new DemoProvider();
      break;
    default:
      throw new UserFacingError(
        'PROVIDER_UNAVAILABLE',
        `MARKET_DATA_PROVIDER=${key} is not available in this build yet; allowed now: demo.`,
      );
  }
  cached = { key, provider };
  return provider;
}
