/**
 * Index symbols and how each provider serves them. An index (SPX) is not a traded stock: Polygon has it
 * as `I:SPX` on its indices aggregates (an indices plan), Alpaca and Alpha Vantage not at all. Where the
 * index itself cannot be had, the series is fed from an ETF that tracks it, and says so (contract
 * `proxy`), so the regime input still moves with the market and every post can name its source.
 */
export const INDEX_PROXIES: Readonly<Record<string, string>> = { SPX: 'SPY', NDX: 'QQQ', DJI: 'DIA', RUT: 'IWM' };

export function isIndex(symbol: string): boolean {
  return Object.hasOwn(INDEX_PROXIES, symbol);
}

/** The provider's symbol for one of ours: `I:SPX` where indices are served, the proxy ETF where not. */
export function sourceSymbol(symbol: string, indices: boolean): { source: string; proxy: boolean } {
  if (!isIndex(symbol)) return { source: symbol, proxy: false };
  return indices ? { source: `I:${symbol}`, proxy: false } : { source: INDEX_PROXIES[symbol]!, proxy: true };
}

/** Our symbols grouped by the provider symbol that serves them (SPY serves SPY and, as a proxy, SPX). */
export function bySource(symbols: string[], indices: boolean): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of symbols) {
    const { source } = sourceSymbol(s, indices);
    out.set(source, [...(out.get(source) ?? []), s]);
  }
  return out;
}

/** How a post names a series' source: "SPX (via SPY)" when a proxy feeds it. */
export function sourceLabel(symbol: string, contract: { source?: string; proxy?: boolean } | undefined): string {
  return contract?.proxy && contract.source ? `${symbol} (via ${contract.source})` : symbol;
}
