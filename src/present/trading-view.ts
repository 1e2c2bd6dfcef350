import { termOf } from '../broker/lots.js';
import { COLORS, type PostInput } from '../notify/post.js';
import type { StoredSignal } from '../strategy/signal-service.js';
import type { ExecutionReport } from '../trading/execution-service.js';
import type { PeriodPnl } from '../trading/performance.js';
import type { PortfolioView, TradeView } from '../trading/portfolio-service.js';
import { comparisonTable, comparisonVerdict, moneyWeighted, type Comparison } from '../trading/benchmark.js';

/** A comparison as a post field: the table in a code block, the verdict under it. */
export function marketField(c: Comparison | null, symbol?: string | null): { name: string; value: string } | undefined {
  if (c) return { name: `Against ${c.symbol} (same capital, same days)`, value: `\`\`\`\n${comparisonTable(c)}\n\`\`\`\n${comparisonVerdict(c)}` };
  return symbol ? { name: `Against ${symbol}`, value: `No stored ${symbol} bars over this period (fetch-market-data loads them; BENCHMARK_SYMBOL chooses).` } : undefined;
}

const usd = (n: number) => `${n < 0 ? '-' : ''}$${Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (n: number, dp = 2) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(dp)}%`;
const signed = (n: number) => `${n >= 0 ? '+' : ''}${usd(n)}`;
const fmtRate = (x: number | null) => (x === null ? 'n/a' : pct(x));

export function signalPost(s: StoredSignal, demo: boolean): PostInput {
  const f = s.signal.features_used;
  const top = Object.entries(f.assets)
    .sort((a, b) => b[1].score - a[1].score)
    .slice(0, 5)
    .map(([sym, a]) => `${sym.padEnd(5)} score ${a.score.toFixed(2).padStart(5)}  5d ${pct(a.returns_5d, 1)}  20d ${pct(a.returns_20d, 1)}  60d ${pct(a.returns_60d, 1)}  vol ${(a.volatility * 100).toFixed(2)}%`);
  const alloc = Object.entries(s.signal.allocations).map(([sym, d]) => `${sym} ${usd(d)}`).join(' · ');
  return {
    kind: 'signals',
    title: `Signal ${s.tradeDate} · ${f.action}${s.portfolio !== 'main' ? ` · ${s.portfolio}` : ''}`,
    description: f.reason,
    color: f.action === 'BUY' ? COLORS.ok : f.action === 'SELL' ? COLORS.bad : COLORS.info,
    demo,
    fields: [
      { name: 'Regime', value: `${f.regime.toFixed(2)} (${f.regime_label})`, inline: true },
      { name: 'Risk', value: `${f.risk.toFixed(1)} / 100`, inline: true },
      { name: 'Confidence', value: s.signal.confidence_score.toFixed(2), inline: true },
      ...(f.action === 'BUY' ? [{ name: `Allocations (${(f.allocation_pct * 100).toFixed(0)}% of daily capital)`, value: alloc || 'none' }] : []),
      ...(f.action === 'SELL' ? [{ name: 'Sell', value: `${(f.sell_pct * 100).toFixed(0)}% of every holding at the open` }] : []),
      { name: 'Top features', value: top.length ? `\`\`\`\n${top.join('\n')}\n\`\`\`` : 'none' },
      ...(Object.keys(f.skipped).length ? [{ name: 'Skipped', value: Object.entries(f.skipped).map(([k, v]) => `${k}: ${v}`).join('\n') }] : []),
    ],
    footer: `config v${s.configVersion} · data through ${f.data_through || 'n/a'}`,
  };
}

export function executionPost(r: ExecutionReport, demo: boolean): PostInput {
  const fills = r.fills.map((f) => `${f.action.padEnd(4)} ${f.quantity.toFixed(4).padStart(10)} ${f.symbol.padEnd(5)} @ ${f.price.toFixed(2)} = ${usd(f.amount)}${f.action === 'SELL' ? ` (P&L ${signed(f.realizedPnl)})` : ''}`);
  const positions = r.positions.map((p) => `${p.symbol.padEnd(5)} ${p.quantity.toFixed(4)} @ avg ${p.avgCost.toFixed(2)}`);
  return {
    kind: 'trades',
    title: `Trades ${r.date} · ${r.executed ? (r.fills.length ? `${r.fills.length} fill(s)` : r.action) : 'not executed'}${r.portfolio !== 'main' ? ` · ${r.portfolio}` : ''}`,
    description: r.reason ?? (r.fills.length ? undefined : `Signal was ${r.action}: nothing to trade.`),
    color: r.executed ? COLORS.ok : COLORS.warn,
    demo,
    fields: [
      ...(fills.length ? [{ name: 'Fills (at the open)', value: `\`\`\`\n${fills.join('\n')}\n\`\`\`` }] : []),
      ...(r.notes.length ? [{ name: 'Notes', value: r.notes.join('\n') }] : []),
      { name: 'Cash', value: usd(r.cash), inline: true },
      { name: 'Capital today', value: usd(r.capitalInjected), inline: true },
      { name: 'Positions', value: positions.join('\n') || 'none' },
    ],
  };
}

/** `reports`: days to a held name's next earnings report, where one is within two weeks (src/info/earnings-soon.ts). */
export function portfolioPost(v: PortfolioView, demo: boolean, title = `Portfolio ${v.name}`, reports: Map<string, number> = new Map(), broker: string | null = null): PostInput {
  const when = (s: string) => (reports.has(s) ? `  ${reports.get(s) === 0 ? 'reports today' : `reports in ${reports.get(s)}d`}` : '');
  const rows = v.positions.map((p) => `${p.symbol.padEnd(5)} ${p.quantity.toFixed(4).padStart(11)}  avg ${p.avgCost.toFixed(2).padStart(9)}  last ${(p.lastClose ?? 0).toFixed(2).padStart(9)}  ${signed(p.unrealizedPnl)}${when(p.symbol)}`);
  return {
    kind: 'digests',
    title: `${title}${v.asOf ? ` · ${v.asOf}` : ''}`,
    description: v.asOf ? undefined : 'No activity yet.',
    color: COLORS.info,
    demo,
    fields: [
      ...(broker ? [{ name: 'Broker', value: broker }] : []),
      { name: 'Equity', value: usd(v.equity), inline: true },
      { name: 'Cash', value: usd(v.cash), inline: true },
      { name: 'Invested', value: usd(v.marketValue), inline: true },
      { name: 'Day P&L', value: v.dayPnl === null ? 'n/a' : signed(v.dayPnl), inline: true },
      { name: 'Realized / unrealized', value: `${signed(v.realizedPnl)} / ${signed(v.unrealizedPnl)}`, inline: true },
      { name: 'Capital injected', value: usd(v.capitalInjected), inline: true },
      { name: 'Performance (time-weighted)', value: `return ${pct(v.performance.totalReturn)} · max drawdown ${pct(-v.performance.maxDrawdown)} · Sharpe ${v.performance.sharpe.toFixed(2)} · exposure ${(v.performance.exposure * 100).toFixed(1)}%` },
      ...(v.vsMarket ? [{ name: `Against ${v.vsMarket.symbol}`, value: `money-weighted (${moneyWeighted(v.vsMarket, v.vsMarket.portfolio).label}) ${fmtRate(moneyWeighted(v.vsMarket, v.vsMarket.portfolio).value)} vs ${fmtRate(moneyWeighted(v.vsMarket, v.vsMarket.benchmark).value)} · TWR ${pct(v.vsMarket.portfolio.twr)} vs ${pct(v.vsMarket.benchmark.twr)} · cash ${(v.vsMarket.portfolio.cashShare * 100).toFixed(0)}% of equity on average` }] : []),
      { name: 'Positions', value: rows.length ? `\`\`\`\n${rows.join('\n')}\n\`\`\`` : 'none' },
    ],
  };
}

export function tradeRows(trades: TradeView[]): string[] {
  return trades.map((t) => `${t.tradeDate} ${t.action.padEnd(4)} ${t.symbol.padEnd(5)} ${t.quantity.toFixed(4).padStart(10)} @ ${t.price.toFixed(2).padStart(9)} ${usd(t.amount).padStart(12)}`);
}

/** One page of trades; `page`/`pages` when paginated. */
export function tradesPage(portfolio: string, total: number, rows: string[], page = 1, pages = 1): PostInput {
  return {
    kind: 'trades',
    title: `Trades · ${portfolio} (${total})${pages > 1 ? ` · page ${page}/${pages}` : ''}`,
    description: rows.length ? `\`\`\`\n${rows.join('\n')}\n\`\`\`` : 'No trades match.',
  };
}

/** All trades in one post (the CLI's text output; Discord pages them instead). */
export function tradesPost(portfolio: string, trades: TradeView[]): PostInput {
  const rows = tradeRows(trades);
  const shown = rows.slice(0, 40);
  const post = tradesPage(portfolio, trades.length, shown);
  if (rows.length > shown.length) post.description += `\n…and ${rows.length - shown.length} more (use --json)`;
  return post;
}

export function pnlPost(portfolio: string, period: string, rows: PeriodPnl[], realized?: { short: number; long: number }): PostInput {
  return {
    kind: 'digests',
    title: `P&L · ${portfolio} · ${period}`,
    description: rows.length
      ? `\`\`\`\n${rows.map((r) => `${r.period.padEnd(10)} ${signed(r.pnl).padStart(13)}   equity ${usd(r.endEquity)}`).join('\n')}\n\`\`\``
      : 'No activity yet.',
    fields: realized ? [{ name: 'Realised, by tax lot', value: `short term ${signed(realized.short)} · long term ${signed(realized.long)} (held over a year)` }] : [],
  };
}

export function positionsPost(v: PortfolioView, lots?: import('../broker/lots-service.js').LotsView): PostInput {
  const today = v.asOf ?? new Date().toISOString().slice(0, 10);
  return {
    kind: 'digests',
    title: `Positions · ${v.name}${v.asOf ? ` · ${v.asOf}` : ''}`,
    ...(lots ? {
      footer: `tax lots (${lots.method}): ${lots.open.length} open · realised short term ${signed(lots.realized.short)}, long term ${signed(lots.realized.long)}`,
      description: lots.open.length
        ? `\`\`\`\n${lots.open.slice(0, 40).map((l) => `${l.symbol.padEnd(6)} ${l.openedOn} ${l.quantity.toFixed(4).padStart(10)} @ ${l.cost.toFixed(2).padStart(9)}  ${termOf(l.openedOn, today) === 'long' ? 'long' : 'short'}`).join('\n')}\n\`\`\``
        : 'No open lots.',
    } : {}),
    fields: v.positions.slice(0, 25).map((p) => ({
      name: p.symbol,
      value: `${p.quantity.toFixed(4)} @ avg ${p.avgCost.toFixed(2)}\nlast ${p.lastClose?.toFixed(2) ?? 'n/a'} · value ${usd(p.marketValue)}\nunrealized ${signed(p.unrealizedPnl)}`,
      inline: true,
    })),
    ...(lots ? {} : { description: v.positions.length ? undefined : 'No open positions.' }),
  };
}

export function performancePost(p: import('../trading/portfolio-service.js').PerformanceView): PostInput {
  return {
    kind: 'digests',
    title: `Performance · ${p.name}${p.asOf ? ` · through ${p.asOf}` : ''}`,
    description: p.days ? undefined : 'No activity yet.',
    fields: [
      { name: 'Return (time-weighted)', value: pct(p.totalReturn), inline: true },
      { name: 'CAGR', value: pct(p.cagr), inline: true },
      { name: 'Max drawdown', value: pct(-p.maxDrawdown), inline: true },
      { name: 'Sharpe', value: p.sharpe.toFixed(2), inline: true },
      { name: 'Win rate (sells)', value: p.winRate === null ? 'no sells yet' : `${(p.winRate * 100).toFixed(0)}% of ${p.sells}`, inline: true },
      { name: 'Realized P&L', value: signed(p.realizedPnl), inline: true },
      { name: 'Exposure', value: `${(p.exposure * 100).toFixed(1)}% invested on average over ${p.days} days` },
      ...[p.days ? marketField(p.vsMarket, p.benchmarkSymbol) : undefined].filter((f) => f !== undefined),
    ],
  };
}
