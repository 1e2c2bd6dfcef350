import { z } from 'zod';
import type { Env } from '../config/env.js';
import { CompanyInfo } from '../db/models/company.js';
import { polygonHttp } from './world-sources.js';
import { loadUniverse } from '../market-data/universe.js';
import { upsertRacing } from '../db/connection.js';

/** Reference data is asked again after a week. */
export const COMPANY_TTL_MS = 7 * 86_400_000;

export interface Company {
  symbol: string;
  name: string | null;
  sector: string | null;
  industry: string | null;
  marketCap: number | null;
  source: string;
}

/** Polygon's ticker overview (`GET /v3/reference/tickers/{ticker}`): name, market cap, the SIC industry. */
export const tickerDetailsPage = z.object({
  status: z.string().optional(),
  results: z.object({ ticker: z.string(), name: z.string().nullish(), market_cap: z.number().nullish(), sic_description: z.string().nullish() }).passthrough(),
});

/** Stored companies by symbol (`_id` lookups). */
export async function companies(symbols: string[]): Promise<Map<string, Company>> {
  const docs = await Promise.all(symbols.map((s) => CompanyInfo.findById(s).lean()));
  return new Map(docs.flatMap((d) => (d ? [[d._id, { symbol: d._id, name: d.name ?? null, sector: d.sector ?? null, industry: d.industry ?? null, marketCap: d.marketCap ?? null, source: d.source }] as [string, Company]] : [])));
}

/**
 * Make sure the reference data of some names is at most a week old (pre-market-prep does it for the names the
 * 07:30 brief may show, so the brief only reads): the demo's from data/universe.json (sector only: it has no
 * industry or market cap), live ones from Polygon's ticker overview (one request a name, its 5 a minute shared).
 */
export async function refreshCompanies(env: Env, symbols: string[], now = new Date()): Promise<{ fetched: number; cached: number; failed: string[] }> {
  const have = await Promise.all(symbols.map((s) => CompanyInfo.findById(s, { fetchedAt: 1 }).lean()));
  const stale = symbols.filter((_, i) => !have[i] || now.getTime() - have[i]!.fetchedAt.getTime() > COMPANY_TTL_MS);
  const sector = new Map(loadUniverse().map((u) => [u.symbol, { name: u.name, sector: u.sector }]));
  const failed: string[] = [];
  let fetched = 0;
  const http = env.MARKET_DATA_PROVIDER !== 'demo' ? polygonHttp(env) : null;
  for (const s of stale) {
    const base = sector.get(s);
    let doc = { _id: s, name: base?.name ?? null, sector: base?.sector ?? null, industry: null as string | null, marketCap: null as number | null, source: 'data/universe.json (sector only)', fetchedAt: now };
    if (http) {
      try {
        const r = (await http.getJson('ticker-details', `/v3/reference/tickers/${encodeURIComponent(s)}`, {}, tickerDetailsPage)).results;
        doc = { ...doc, name: r.name ?? doc.name, industry: r.sic_description ? titleCase(r.sic_description) : null, marketCap: r.market_cap ?? null, source: 'polygon ticker overview' };
        fetched++;
      } catch (err) {
        failed.push(`${s}: ${(err as Error).message.slice(0, 80)}`);
      }
    }
    await upsertRacing((upsert) => CompanyInfo.replaceOne({ _id: s }, doc, { upsert }));
  }
  return { fetched, cached: symbols.length - stale.length, failed };
}

/** "ELECTRONIC COMPUTERS" → "Electronic computers" (SIC descriptions come in capitals). */
const titleCase = (s: string) => (s === s.toUpperCase() ? s.charAt(0) + s.slice(1).toLowerCase() : s);

/** "$2.77T", "$845.1B", "$3.2B", "$950M". */
export function formatCap(n: number | null): string | null {
  if (n === null) return null;
  if (n >= 1e12) return `$${(n / 1e12).toFixed(2)}T`;
  if (n >= 1e9) return `$${(n / 1e9).toFixed(1)}B`;
  return `$${Math.round(n / 1e6)}M`;
}
