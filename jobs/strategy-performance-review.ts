import { benchmarkSymbol } from '../src/config/env.js';
import { COLORS, fitLines } from '../src/notify/post.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { listPortfolios } from '../src/portfolio/portfolios.js';
import { versionReview } from '../src/trading/reports.js';
import { statsLine } from '../src/ideas/idea-posts.js';
import { ideaStatsSince } from '../src/ideas/idea-record.js';

export const name = 'strategy-performance-review';
export const description = 'Sunday: metrics per config version over the days each was in force (return, drawdown, Sharpe, P&L, trades).';
/** Sunday 10:00 New York. */
export const schedule = { cron: '0 10 * * 0' };
export const options = { marketDaysOnly: false, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const };

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const summary: Record<string, unknown> = {};
  // The entry ideas' criteria beside the allocator's versions (desk-wide: they read main's config).
  const ideas = await ideaStatsSince({ today: ctx.date });
  const ideaFields = ideas.count ? [{ name: `Entry-idea criteria · ${ideas.since} → ${ideas.through}`, value: fitLines(ideas.criteria.map((c) => `**${c.criterion}**: ${statsLine(c)}`), 1024) }] : [];
  summary.ideas = ideas.count;
  for (const portfolio of await listPortfolios()) {
    const benchmark = benchmarkSymbol(ctx.env);
    const rows = await versionReview(portfolio, benchmark);
    await ctx.publish(`${name}:${portfolio}:${ctx.date}`, {
      kind: 'tuning',
      title: `Config versions in review · ${portfolio}`,
      color: COLORS.info,
      demo: ctx.env.MARKET_DATA_PROVIDER === 'demo',
      description: rows.length
        ? ['```', `ver  from        to          days   return ${benchmark.padStart(7)}  max DD  Sharpe  trades        P&L`,
          ...rows.map((r) => `v${String(r.version).padEnd(3)} ${r.from}  ${(r.to ?? 'active').padEnd(10)} ${String(r.days).padStart(5)} ${pct(r.totalReturn).padStart(8)} ${(r.benchmarkReturn === null ? 'n/a' : pct(r.benchmarkReturn)).padStart(7)} ${pct(r.maxDrawdown).padStart(7)} ${r.sharpe.toFixed(2).padStart(7)} ${String(r.trades).padStart(7)} ${r.pnl.toFixed(2).padStart(10)}`),
          '```', `return: time-weighted over the days the version was in force; ${benchmark}: its price change over the same days.`].join('\n')
        : 'No version has seen a trading day with activity yet.',
      fields: portfolio === 'main' ? ideaFields : [],
    });
    summary[portfolio] = rows.map((r) => `v${r.version} ${pct(r.totalReturn)}`);
  }
  return { summary };
}
