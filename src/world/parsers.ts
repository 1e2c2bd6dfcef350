import { z } from 'zod';

/**
 * The world board's sources, parsed without I/O: Polygon's grouped forex day (`C:EURUSD` rows; an empty day has
 * no `results`), Alpaca's keyless crypto bars (symbols with a slash) (FRED series come through the information layer's FRED client).
 */
export interface DayQuote {
  /** Pair as we name it (EURUSD) or crypto symbol (BTC/USD). */
  symbol: string;
  open: number;
  close: number;
  /** The bar's time (ms). */
  t: number;
}

export const polygonGroupedPage = z.object({ status: z.string().optional(), resultsCount: z.number().optional(), results: z.array(z.unknown()).optional() });
const polygonAgg = z.object({ T: z.string(), o: z.number(), c: z.number(), t: z.number() });

/** The pairs asked for from a grouped forex day; a pair missing from the day is simply absent. */
export function parsePolygonGroupedFx(page: z.output<typeof polygonGroupedPage>, pairs: readonly string[]): { quotes: DayQuote[]; problems: string[] } {
  const want = new Set(pairs);
  const quotes: DayQuote[] = [];
  const problems: string[] = [];
  (page.results ?? []).forEach((raw, i) => {
    const r = polygonAgg.safeParse(raw);
    if (!r.success) {
      problems.push(`row ${i + 1}: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const sym = r.data.T.replace(/^C:/, '');
    if (want.has(sym)) quotes.push({ symbol: sym, open: r.data.o, close: r.data.c, t: r.data.t });
  });
  return { quotes, problems };
}

export const alpacaCryptoPage = z.object({ bars: z.record(z.string(), z.array(z.unknown())).default({}), next_page_token: z.string().nullish() });
const cryptoBar = z.object({ t: z.string(), o: z.number(), c: z.number() });

/** Daily crypto bars by symbol, oldest first. */
export function parseAlpacaCryptoBars(page: z.output<typeof alpacaCryptoPage>): Map<string, DayQuote[]> {
  const out = new Map<string, DayQuote[]>();
  for (const [symbol, rows] of Object.entries(page.bars)) {
    const list: DayQuote[] = [];
    for (const raw of rows) {
      const r = cryptoBar.safeParse(raw);
      if (r.success) list.push({ symbol, open: r.data.o, close: r.data.c, t: Date.parse(r.data.t) });
    }
    out.set(symbol, list.sort((a, b) => a.t - b.t));
  }
  return out;
}
