import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../paths.js';

/** The maintained universe (data/universe.json, made by scripts/gen-universe.py): S&P 500 ∪ NASDAQ-100 ∪ ETFs. */
export const UNIVERSE_FILE = join(PROJECT_ROOT, 'data', 'universe.json');

const universeSchema = z.object({
  source: z.string(),
  symbols: z
    .array(z.object({ symbol: z.string().regex(/^[A-Z][A-Z0-9.\-]{0,9}$/), name: z.string().min(1), sector: z.string().min(1), indices: z.array(z.string()).min(1) }))
    .min(1),
});

export type UniverseEntry = z.infer<typeof universeSchema>['symbols'][number];

let cached: UniverseEntry[] | undefined;

/** The universe file, validated; cached per process unless `fresh` (the weekly update re-reads it). */
export function loadUniverse(file = UNIVERSE_FILE, opts: { fresh?: boolean } = {}): UniverseEntry[] {
  if (cached && file === UNIVERSE_FILE && !opts.fresh) return cached;
  const parsed = universeSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${file}: ${i?.path.join('.') ?? ''} ${i?.message ?? 'is invalid'}`);
  }
  const dupes = parsed.data.symbols.map((s) => s.symbol).filter((s, k, all) => all.indexOf(s) !== k);
  if (dupes.length) throw new Error(`${file}: duplicate symbols ${dupes.join(', ')}`);
  if (file === UNIVERSE_FILE) cached = parsed.data.symbols;
  return parsed.data.symbols;
}

/** Every symbol we cover: the universe and SPX (the demo's real index). What symbol arguments are checked against. */
export function coveredSymbols(): Set<string> {
  return new Set(['SPX', ...loadUniverse().map((u) => u.symbol)]);
}

export function sectorOf(symbol: string): string {
  return loadUniverse().find((u) => u.symbol === symbol)?.sector ?? 'Unknown';
}
