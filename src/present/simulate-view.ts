import { COLORS, type PostInput } from '../notify/post.js';
import type { IdeaRecordLine, Simulation, SimulationMetrics } from '../strategy/simulate-service.js';
import { comparisonVerdict, moneyWeighted } from '../trading/benchmark.js';

const ROWS: Array<[keyof SimulationMetrics, string, (x: number) => string]> = [
  ['totalReturn', 'Time-weighted return', (x) => `${(x * 100).toFixed(2)}%`],
  ['cagr', 'CAGR', (x) => `${(x * 100).toFixed(2)}%`],
  ['maxDrawdown', 'Max drawdown', (x) => `${(x * 100).toFixed(2)}%`],
  ['sharpe', 'Sharpe', (x) => x.toFixed(2)],
  ['trades', 'Trades', (x) => x.toFixed(0)],
  ['exposure', 'Exposure', (x) => `${(x * 100).toFixed(1)}%`],
  ['turnover', 'Turnover', (x) => `${x.toFixed(2)}×`],
  ['finalEquity', 'Final equity', (x) => `$${x.toLocaleString('en-US', { maximumFractionDigits: 0 })}`],
];

const pctOrNa = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const signedPct = (x: number | null) => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`);
const minus = (a: number | null | undefined, b: number | null | undefined) => (a === null || a === undefined || b === null || b === undefined ? null : a - b);

/** The side-by-side table, as text (a code block in Discord, plain in the CLI), the benchmark rows last. */
export function simulationTable(s: Simulation): string {
  const head = ['', `active v${s.activeVersion}`, 'proposed', 'difference'];
  const rows = ROWS.map(([k, label, fmt]) => {
    const d = s.difference[k];
    return [label, fmt(s.active[k]), fmt(s.proposed[k]), `${d >= 0 ? '+' : ''}${fmt(d)}`];
  });
  const { active: a, proposed: p } = s.benchmark;
  const sym = a?.symbol ?? p?.symbol;
  if (sym) {
    const row = (label: string, x: number | null | undefined, y: number | null | undefined, signed = false) =>
      rows.push([label, signed ? signedPct(x ?? null) : pctOrNa(x), signed ? signedPct(y ?? null) : pctOrNa(y), signedPct(minus(y, x))]);
    const c = (a ?? p)!;
    const mw = (x: typeof a) => (x ? moneyWeighted(x, x.portfolio).value : null);
    const mwb = (x: typeof a) => (x ? moneyWeighted(x, x.benchmark).value : null);
    const label = moneyWeighted(c, c.portfolio).label;
    row(`Money-weighted (${label})`, mw(a), mw(p));
    row('Cash share (cash drag)', a?.portfolio.cashShare, p?.portfolio.cashShare);
    row(`${sym}, same capital: money-weighted`, mwb(a), mwb(p));
    row(`${sym}, same capital: TWR`, a?.benchmark.twr, p?.benchmark.twr);
    row(`vs ${sym} (TWR points)`, a?.difference.twr, p?.difference.twr, true);
  }
  const widths = head.map((_, c) => Math.max(...[head, ...rows].map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** The entry ideas' record under both versions, a line per criterion. */
function ideasTable(s: Simulation): string {
  if (!s.ideas) return '';
  const pc = (x: number | null) => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`);
  const byName = new Map(s.ideas.proposed.map((l) => [l.criterion, l]));
  const names = [...new Set([...s.ideas.active.map((l) => l.criterion), ...s.ideas.proposed.map((l) => l.criterion)])];
  const cell = (l: IdeaRecordLine | undefined) => (l ? `${String(l.scored).padStart(5)} ${(l.hitRate === null ? 'n/a' : `${Math.round(l.hitRate * 100)}%`).padStart(4)} ${pc(l.avgExcess).padStart(7)}` : '    —    —       —');
  const active = new Map(s.ideas.active.map((l) => [l.criterion, l]));
  return `\nEntry ideas (scored, hit rate, average vs SPX): active | proposed\n\`\`\`\n${names.map((n) => `${n.padEnd(17)} ${cell(active.get(n))} | ${cell(byName.get(n))}`).join('\n')}\n\`\`\``;
}

export function simulationPost(s: Simulation, demo: boolean): PostInput {
  return {
    kind: 'tuning',
    title: `Simulation · ${s.portfolio} · ${s.from} → ${s.to}`,
    description: `${s.changes.map((c) => `${c.key}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join('\n')}\n\`\`\`\n${simulationTable(s)}\n\`\`\`\n${s.benchmark.proposed ? `${comparisonVerdict(s.benchmark.proposed).replace(/^(Ahead of|Behind)/, 'Proposed: $1')}\n` : ''}The same signal and execution code over the same stored bars; nothing was written.${ideasTable(s)}`.slice(0, 4096),
    color: s.difference.totalReturn >= 0 ? COLORS.ok : COLORS.warn,
    demo,
  };
}
