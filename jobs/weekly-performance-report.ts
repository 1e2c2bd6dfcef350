import { benchmarkSymbol } from '../src/config/env.js';
import { COLORS } from '../src/notify/post.js';
import { marketField } from '../src/present/trading-view.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { listPortfolios } from '../src/portfolio/portfolios.js';
import { weeklyReport } from '../src/trading/reports.js';

export const name = 'weekly-performance-report';
export const description = "Sunday morning: each portfolio's week — P&L (capital excluded), trades, signals by action, scans stored.";
/** Sunday 08:00 New York. */
export const schedule = { cron: '0 8 * * 0' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const };

const pctOrNa = (x: number | null) => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`);
const usd = (x: number) => `${x < 0 ? '−' : '+'}$${Math.abs(x).toFixed(2)}`;

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const summary: Record<string, unknown> = {};
  for (const portfolio of await listPortfolios()) {
    const benchmark = benchmarkSymbol(ctx.env);
    const r = await weeklyReport(portfolio, ctx.date, benchmark);
    // The equity curve of the last month, when the portfolio has any activity.
    // The chart renderer only when a report is drawn: listing the jobs does not load it.
    const { equityChart } = await import('../src/charts/chart-service.js');
    const chart = await equityChart(portfolio, '1m', { benchmark }).catch(() => undefined);
    await ctx.publish(`${name}:${portfolio}:${ctx.date}`, {
      kind: 'digests',
      title: `Week ${r.from} → ${r.to} · ${portfolio}`,
      color: r.pnl >= 0 ? COLORS.ok : COLORS.warn,
      demo: ctx.env.MARKET_DATA_PROVIDER === 'demo',
      fields: [
        { name: 'P&L (capital excluded)', value: usd(r.pnl), inline: true },
        { name: 'Equity', value: r.equity === null ? 'no activity' : `$${r.equity.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`, inline: true },
        { name: 'Trades', value: `${r.trades.buys} buys, ${r.trades.sells} sells`, inline: true },
        { name: 'Signals', value: Object.entries(r.signals).map(([a, n]) => `${a} ${n}`).join(', ') || 'none', inline: true },
        { name: 'Scans stored', value: String(r.scans), inline: true },
        { name: `Week vs ${benchmark}`, value: `${pctOrNa(r.weekReturn)} (time-weighted) vs ${pctOrNa(r.benchmarkWeek)}`, inline: true },
        ...[marketField(r.sinceStart, benchmark)].filter((f) => f !== undefined).map((f) => ({ ...f, name: `Since the start, ${f.name.charAt(0).toLowerCase()}${f.name.slice(1)}` })),
      ],
      ...(chart ? { image: { filename: `week-${portfolio.replace(/[^a-z0-9-]/g, '_')}-${r.to}.png`, base64: chart.png.toString('base64') } } : {}),
    });
    summary[portfolio] = `P&L ${r.pnl.toFixed(2)}, ${r.trades.buys + r.trades.sells} trades`;
  }
  return { summary };
}
