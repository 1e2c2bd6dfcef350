import { COLORS, fitLines, type PostInput } from '../notify/post.js';
import { IDEA_SLOTS, criterionNamed } from './criteria.js';
import type { IdeaRecord, IdeaStatsView, ScoredIdea } from './idea-record.js';
import type { IdeaSlotView } from './idea-slots.js';
import type { IdeaBacktest } from './idea-backtest.js';
import type { Idea, IdeaStats, Outcome } from './scoring.js';

/** How ideas and their record read in Discord and on the console. */
const signed = (x: number | null | undefined, dp = 1) => (x === null || x === undefined ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(dp)}%`);
const px = (x: number) => x.toFixed(2);
const sessions = (h: number) => (h === 1 ? 'today' : `${h} sessions`);

/** The facts behind an idea, in one short line. */
export function factsLine(i: Idea): string {
  const f = i.facts;
  const parts: string[] = [];
  if (f.gap !== undefined && Math.abs(f.gap) >= 0.001) parts.push(`gap ${signed(f.gap)}`);
  if (f.relVolume !== undefined) parts.push(`vol ${f.relVolume.toFixed(1)}×`);
  parts.push(`RSI ${f.rsi.toFixed(0)}`);
  if (f.squeeze <= 0.1) parts.push('squeeze');
  if (f.news) parts.push(`news ${f.news}${f.sentiment ? ` (${f.sentiment > 0 ? '+' : ''}${f.sentiment.toFixed(1)})` : ''}`);
  if (f.earningsInDays !== undefined) parts.push(f.earningsInDays === 0 ? 'reports today' : `reports in ${f.earningsInDays}d`);
  if (f.sectorMove !== undefined) parts.push(`sector ${signed(f.sectorMove)}`);
  return parts.join(' · ');
}

function ideaLines(i: Idea, k: number): { name: string; value: string } {
  const risk = Math.abs(i.entry - i.stop) / i.entry;
  return {
    name: `${k}. ${i.symbol} ${i.side} · ${i.criterion} · ${sessions(i.horizon)}`,
    value: `${i.side === 'long' ? 'buy above' : 'sell below'} **${px(i.entry)}**, wrong at **${px(i.stop)}** (${(risk * 100).toFixed(1)}% risk)\n${i.why}\n${factsLine(i)}`.slice(0, 1024),
  };
}

/** The post of one slot: its ideas, what they were built on, how they will be judged. */
export function slotPost(s: IdeaSlotView, demo: boolean): PostInput {
  const title = `${IDEA_SLOTS[s.job].title} · ${s.date} · ${s.at}`;
  return {
    kind: 'ideas',
    title,
    color: s.ideas.length ? COLORS.info : COLORS.warn,
    demo,
    description: s.ideas.length
      ? `${s.ideas.length} idea(s) from ${s.considered} names, ${s.basis.text}. Config v${s.configVersion}.`
      : s.basis.kind === 'none' ? `${s.basis.text[0]!.toUpperCase()}${s.basis.text.slice(1)}.` : `No name met a criterion (${s.considered} looked at, ${s.basis.text}).`,
    fields: s.ideas.map((i, k) => ideaLines(i, k + 1)),
    footer: 'Stop orders good for the session only; scored after the close against SPX (/ideas stats). Not advice.',
  };
}

export function outcomeText(o: Outcome | null, horizon: number): string {
  if (!o) return 'not scored yet';
  switch (o.state) {
    case 'waiting':
      return 'waiting for its session';
    case 'not-triggered':
      return 'never triggered';
    case 'open':
      return `open since ${px(o.fill!)}: ${signed(o.r1)} day 1${o.r5 !== null ? `, ${signed(o.r5)} day 5` : ''}`;
    case 'closed':
    {
      const spx = horizon === 1 ? o.spx1 : horizon === 5 ? o.spx5 : o.spx20;
      const against = spx === null || o.excess === null ? `SPX over its ${horizon} sessions not known yet` : `SPX ${signed(spx)}, ${signed(o.excess)} vs SPX`;
      return `${o.exit ? `${o.exit.reason === 'gap-through-stop' ? 'gapped through the stop' : 'stopped'} ${o.exit.date} at ${px(o.exit.price)}` : `held ${horizon === 1 ? 'the day' : `${horizon} sessions`}`}: ${signed(o.result)} (${against})`;
    }
  }
}

/** One idea and its outcome so far, in a line. */
export function ideaLine(i: IdeaRecord): string {
  return `${i.date} ${i.at} ${i.symbol.padEnd(5)} ${i.side} ${i.criterion} ${i.side === 'long' ? '>' : '<'}${px(i.entry)} stop ${px(i.stop)} — ${outcomeText(i.outcome, i.horizon)}`;
}

export function ideasListPost(title: string, groups: Array<{ name: string; ideas: IdeaRecord[]; note?: string }>, demo: boolean): PostInput {
  const fields = groups.filter((g) => g.ideas.length || g.note).slice(0, 24).map((g) => ({ name: g.name.slice(0, 256), value: (g.ideas.length ? fitLines(g.ideas.map(ideaLine), 1000) : g.note!).slice(0, 1024) || '—' }));
  return { kind: 'ideas', title, demo, color: COLORS.info, description: fields.length ? undefined : 'No ideas.', fields };
}

/** The post after the close: how the day's ideas did, and which older ones closed today. */
export function scoredPost(date: string, today: ScoredIdea[], closed: ScoredIdea[], demo: boolean): PostInput {
  const triggered = today.filter((i) => i.outcome && i.outcome.state !== 'not-triggered' && i.outcome.state !== 'waiting');
  const older = closed.filter((i) => i.date !== date);
  return {
    kind: 'ideas',
    title: `How the ideas did · ${date}`,
    demo,
    color: COLORS.info,
    description: `${today.length} idea(s) today, ${triggered.length} triggered; ${older.length} earlier idea(s) closed today. Daily bars cannot say whether a session's high or low came first: an idea whose entry session also reached its stop counts as stopped.`,
    fields: [
      ...(today.length ? [{ name: "Today's ideas", value: fitLines(today.map(ideaLine), 1024) }] : []),
      ...(older.length ? [{ name: 'Closed today', value: fitLines(older.map(ideaLine), 1024) }] : []),
    ],
  };
}

/** A criterion's record in one line. */
export function statsLine(s: IdeaStats): string {
  if (!s.scored) return `${s.count} idea(s), ${s.triggered} triggered, none scored yet`;
  return `${s.count} ideas · ${s.triggered} triggered · hit ${((s.hitRate ?? 0) * 100).toFixed(0)}% of ${s.scored} · avg ${signed(s.avgReturn, 2)} · vs SPX ${signed(s.avgExcess, 2)}${s.withSpx < s.scored ? ` (${s.withSpx} of ${s.scored} with SPX's sessions known yet)` : ''} · $1,000 each: ${s.pnlPer1000 >= 0 ? '+' : '−'}$${Math.abs(s.pnlPer1000).toFixed(2)} · best ${s.best ? `${s.best.symbol} ${signed(s.best.return)}` : 'n/a'} · worst ${s.worst ? `${s.worst.symbol} ${signed(s.worst.return)}` : 'n/a'}`;
}

export function statsPost(v: IdeaStatsView, demo: boolean, title = 'Entry ideas: the record'): PostInput {
  return {
    kind: 'ideas',
    title: `${title} · ${v.since} → ${v.through}`,
    demo,
    color: COLORS.info,
    description: v.count
      ? `${v.criterion ? `${v.criterion}: ` : 'All criteria: '}${statsLine(v.overall)}.\nEach idea is judged at its own horizon (1, 5 or 20 sessions) against SPX over the same sessions; stops and never-triggered entries count as they happened.`
      : `No ideas ${v.criterion ? `from ${v.criterion} ` : ''}between ${v.since} and ${v.through}.`,
    fields: v.criterion ? [] : v.criteria.map((c) => ({ name: `${c.criterion} (${sessions(criterionNamed(c.criterion)?.horizon ?? 1)})`, value: statsLine(c) })),
  };
}

/** The scoreboard PNG: each criterion's average return against SPX (its own horizon), with its hit rate and count. */
export async function scoreboardChart(v: IdeaStatsView, demo: boolean): Promise<{ png: Buffer; filename: string }> {
  const { renderBarChart } = await import('../charts/bar-chart.js');
  const rows = v.criteria.filter((c) => c.avgExcess !== null).sort((a, b) => b.avgExcess! - a.avgExcess!);
  const waiting = v.criteria.filter((c) => c.avgExcess === null).map((c) => c.criterion);
  const png = renderBarChart({
    title: `Entry ideas vs SPX · ${v.since} → ${v.through}`,
    subtitle: `average return minus SPX's over the same sessions, per criterion (hit rate, ideas scored)${waiting.length ? ` · not yet: ${waiting.join(', ')}` : ''}${demo ? ' · synthetic demo data' : ''}`,
    bars: rows.map((c) => ({ label: `${c.criterion} (${Math.round((c.hitRate ?? 0) * 100)}% of ${c.scored})`, value: c.avgExcess! * 100 })),
    format: (x) => `${x >= 0 ? '+' : ''}${x.toFixed(2)} %`,
    axisFormat: (x) => `${Number(x.toFixed(2))} %`,
  });
  return { png, filename: `ideas-scoreboard-${v.through}.png` };
}

/** `backtest --ideas`: the table of every criterion against SPX, and how each was replayed. */
export function ideaBacktestPost(r: IdeaBacktest, demo: boolean): PostInput {
  const pc = (x: number | null) => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`);
  const rows = [...r.criteria, { criterion: 'all', ...r.overall }];
  const table = [
    'criterion          ideas  trig  scored   hit   avg ret    SPX    vs SPX   $/1000',
    ...rows.map((c) => `${c.criterion.padEnd(17)} ${String(c.count).padStart(6)} ${String(c.triggered).padStart(5)} ${String(c.scored).padStart(7)} ${(c.hitRate === null ? 'n/a' : `${Math.round(c.hitRate * 100)}%`).padStart(5)} ${pc(c.avgReturn).padStart(9)} ${pc(c.avgSpx).padStart(7)} ${pc(c.avgExcess).padStart(8)} ${(c.avgPnlPer1000 === null ? 'n/a' : c.avgPnlPer1000.toFixed(2)).padStart(8)}`),
  ];
  return {
    kind: 'ideas',
    title: `Ideas backtest · ${r.since} → ${r.through} · config v${r.configVersion}`,
    demo,
    color: COLORS.info,
    description: `${r.count} ideas over ${r.sessions} sessions and ${r.symbols} symbols, scored as live (each at its own horizon, SPX over the same sessions, $1,000 an idea).\n\`\`\`\n${table.join('\n')}\n\`\`\``.slice(0, 4096),
    fields: [{ name: 'How each criterion was replayed', value: fitLines(Object.entries(r.replay).map(([k, v]) => `${k}: ${v}`), 1024) }],
    footer: `took ${(r.durationMs / 1000).toFixed(1)} s`,
  };
}
