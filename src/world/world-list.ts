import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../paths.js';

/** The world board's list (data/world.json): each market's US-listed ETF, its currency pair, a local index where a free source has one. */
export const WORLD_FILE = join(PROJECT_ROOT, 'data', 'world.json');

const pair = z.string().regex(/^[A-Z]{6}$/, 'a currency pair such as USDJPY');
const worldSchema = z.object({
  source: z.string(),
  markets: z.array(z.object({
    region: z.string().min(1),
    country: z.string().min(1),
    etf: z.string().regex(/^[A-Z][A-Z0-9.]{0,9}$/),
    currency: pair.nullable(),
    localIndex: z.object({ series: z.string().min(1), name: z.string().min(1), source: z.literal('FRED') }).nullable(),
  })).min(1),
  crypto: z.array(z.string().regex(/^[A-Z]{2,6}\/USD$/)),
  yields: z.array(z.object({ series: z.string().min(1), name: z.string().min(1) })),
  notServed: z.string(),
});

export type WorldList = z.infer<typeof worldSchema>;
export type WorldMarket = WorldList['markets'][number];

let cached: WorldList | undefined;

export function loadWorld(file = WORLD_FILE): WorldList {
  if (cached && file === WORLD_FILE) return cached;
  const r = worldSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${file}: ${i?.path.join('.') ?? ''} ${i?.message ?? 'is invalid'}`);
  }
  if (file === WORLD_FILE) cached = r.data;
  return r.data;
}

/** The distinct currency pairs of the board. */
export const worldPairs = (w: WorldList): string[] => [...new Set(w.markets.flatMap((m) => (m.currency ? [m.currency] : [])))];
