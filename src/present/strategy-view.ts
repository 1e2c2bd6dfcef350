import { COLORS, type PostInput } from '../notify/post.js';
import type { BacktestSummary } from '../strategy/backtest-service.js';
import { comparisonTable, comparisonVerdict, type Comparison } from '../trading/benchmark.js';
import type { ParamChange } from '../strategy/config-service.js';
import type { ConfigVersion } from '../strategy/config-versions.js';

const fmt = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;

export function configPost(v: ConfigVersion): PostInput {
  const rows = Object.entries(v.params).map(([k, val]) => `${k.padEnd(25)} ${fmt(val)}`);
  return {
    kind: 'tuning',
    title: `Config ${v.portfolio} v${v.version}${v.endDate === null ? ' (active)' : ''}`,
    description: `\`\`\`\n${rows.join('\n')}\n\`\`\``,
    fields: [
      { name: 'In force', value: `${v.startDate} → ${v.endDate ?? 'now'}`, inline: true },
      { name: 'Created by', value: `${v.createdBy}, ${v.createdAt.slice(0, 16).replace('T', ' ')}Z`, inline: true },
      { name: 'Parent', value: v.parentVersion === null ? '—' : `v${v.parentVersion}`, inline: true },
      ...(v.notes ? [{ name: 'Notes', value: v.notes }] : []),
    ],
  };
}

export function configHistoryRows(versions: ConfigVersion[]): string[] {
  return versions.map((v) => `v${v.version}${v.endDate === null ? ' ●' : ''}  ${v.startDate} → ${v.endDate ?? 'now'}  ${v.createdBy}${v.notes ? `: ${v.notes.slice(0, 120)}` : ''}`);
}

export function configHistoryPage(portfolio: string, rows: string[], page = 1, pages = 1): PostInput {
  return { kind: 'tuning', title: `Config history · ${portfolio}${pages > 1 ? ` · page ${page}/${pages}` : ''}`, description: rows.join('\n') || 'No versions.', footer: '● active' };
}

export function configHistoryPost(portfolio: string, versions: ConfigVersion[]): PostInput {
  return configHistoryPage(portfolio, configHistoryRows(versions));
}

export function configDiffPost(portfolio: string, d: { a: number; b: number; changes: ParamChange[] }, title?: string): PostInput {
  return {
    kind: 'tuning',
    title: title ?? `Config ${portfolio}: v${d.a} → v${d.b}`,
    description: d.changes.length ? `\`\`\`\n${d.changes.map((c) => `${c.key.padEnd(25)} ${fmt(c.from)} → ${fmt(c.to)}`).join('\n')}\n\`\`\`` : 'No differences.',
    color: COLORS.info,
  };
}

export function configReportPost(portfolio: string, version: number, report: string): PostInput {
  return { kind: 'tuning', title: `Tuning report · ${portfolio} v${version}`, description: report.slice(0, 4000) };
}

/** The benchmark block every results surface shows: the table, then one sentence. */
export function benchmarkBlock(c: Comparison | null, label = 'portfolio', missing = 'the benchmark'): string {
  if (!c) return `No stored bars of ${missing} to compare with (BENCHMARK_SYMBOL; fetch-market-data loads them).`;
  return `Against ${c.symbol} (the same capital on the same days, bought at its open):\n\`\`\`\n${comparisonTable(c, label)}\n\`\`\`\n${comparisonVerdict(c)}`;
}

export function backtestPost(s: BacktestSummary, demo: boolean): PostInput {
  return {
    kind: 'ops',
    title: `Backtest ${s.symbols.join(',')} · ${s.from} → ${s.to} · config v${s.configVersion}`,
    description: benchmarkBlock(s.benchmark, 'strategy'),
    demo,
    color: COLORS.info,
    fields: [
      { name: 'CAGR (time-weighted)', value: pct(s.cagr), inline: true },
      { name: 'Max drawdown', value: pct(-s.maxDrawdown), inline: true },
      { name: 'Sharpe', value: s.sharpe.toFixed(2), inline: true },
      { name: 'Trades', value: String(s.trades), inline: true },
      { name: 'Exposure', value: `${(s.exposure * 100).toFixed(1)}% of equity invested on average`, inline: true },
      { name: 'Days', value: `${s.days} (${Object.entries(s.actions).map(([a, n]) => `${n} ${a}`).join(', ')})`, inline: true },
      { name: 'Capital / final equity', value: `$${s.capital.toLocaleString('en-US')} → $${s.finalEquity.toLocaleString('en-US', { maximumFractionDigits: 0 })}` },
    ],
    footer: `scratch portfolio ${s.portfolio} (try: trades --name ${s.portfolio})`,
  };
}
