import { addDays, type IsoDate } from '../calendar/dates.js';
import { readBars } from '../market-data/bar-store.js';
import { loadUniverse } from '../market-data/universe.js';
import type { PostInput } from '../notify/post.js';
import { heldSymbols } from './calendar-service.js';
import { articlesFor, dayCounts, readState, writeState } from './info-store.js';

export interface EveningDigest {
  date: IsoDate;
  articles: number;
  mostCovered: Array<{ symbol: string; count: number; positive: number; neutral: number; negative: number; held: boolean }>;
  bySector: Array<{ sector: string; count: number; positive: number; negative: number; net: number }>;
  movers: Array<{ symbol: string; move: number; headline: string | null }>;
  /** Names with a stored bar for the day (the movers are among these). */
  barsFor: number;
  universe: number;
  newSinceLast: number;
  newHeadlines: string[];
  synthetic: boolean;
}

const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`;

/**
 * The day's news as the evening post shows it: the most covered names (held ones marked), sentiment by
 * sector (the providers' labels, counted), the day's biggest movers with the news that came with them, and
 * what arrived since the last evening post. Reads are `_id` lookups per symbol and day, and the day's bars.
 */
export async function eveningDigest(date: IsoDate, now: Date): Promise<EveningDigest> {
  const universe = loadUniverse();
  const symbols = universe.map((u) => u.symbol);
  const [day, held] = await Promise.all([dayCounts(date), heldSymbols()]);
  const counts = day.bySymbol;
  // Ties (one story each) go to the names the coverage leans on hardest, then held ones.
  const mostCovered = [...counts].map(([symbol, c]) => ({ symbol, ...c, held: held.has(symbol) }))
    .sort((a, b) => b.count - a.count || Math.abs(b.positive - b.negative) - Math.abs(a.positive - a.negative) || Number(b.held) - Number(a.held) || a.symbol.localeCompare(b.symbol)).slice(0, 8);
  const sectorOf = new Map(universe.map((u) => [u.symbol, u.sector]));
  const sectors = new Map<string, { count: number; positive: number; negative: number }>();
  for (const [s, c] of counts) {
    const k = sectorOf.get(s) ?? 'Other';
    const cur = sectors.get(k) ?? { count: 0, positive: 0, negative: 0 };
    sectors.set(k, { count: cur.count + c.count, positive: cur.positive + c.positive, negative: cur.negative + c.negative });
  }
  const bySector = [...sectors].map(([sector, c]) => ({ sector, ...c, net: c.positive - c.negative })).sort((a, b) => b.net - a.net || b.count - a.count);
  // The day's movers (close to close), from stored bars: with the first headline of the day on each, if any.
  const bars = await readBars(symbols, addDays(date, -7), date);
  const moves: Array<{ symbol: string; move: number }> = [];
  for (const [s, list] of bars) {
    const i = list.findIndex((b) => b.date === date);
    if (i > 0) moves.push({ symbol: s, move: list[i]!.close / list[i - 1]!.close - 1 });
  }
  const top = [...moves].sort((a, b) => Math.abs(b.move) - Math.abs(a.move)).slice(0, 6);
  const barsFor = moves.length;
  const movers = await Promise.all(top.map(async (m) => ({ ...m, headline: (await articlesFor(m.symbol, [date], 1))[0]?.title ?? null })));
  const lastPost = await readState<string>('news-evening-last');
  const recent = day.entries;
  const fresh = recent.filter((a) => !lastPost || a.t > lastPost);
  return {
    date, articles: day.total, mostCovered, bySector, movers, barsFor, universe: symbols.length, newSinceLast: fresh.length,
    newHeadlines: fresh.slice(0, 5).map((a) => `${a.tickers.slice(0, 2).join(',')} ${a.title.slice(0, 120)}`), synthetic: recent.some((a) => a.syn),
  };
}

export async function markEveningPosted(now: Date): Promise<void> {
  await writeState('news-evening-last', now.toISOString(), now);
}

export function eveningPost(d: EveningDigest): PostInput {
  const covered = d.mostCovered.map((m) => `${m.symbol}${m.held ? ' (held)' : ''} ${m.count} · ▲${m.positive} ▼${m.negative}`).join('\n');
  const sectors = d.bySector.filter((s) => s.count > 0).map((s) => `${s.sector}: ${s.net >= 0 ? '+' : ''}${s.net} (▲${s.positive} ▼${s.negative} of ${s.count})`).join('\n');
  const movers = d.movers.map((m) => `${m.symbol} ${pct(m.move)} — ${m.headline ?? 'no news stored'}`).join('\n');
  return {
    kind: 'digests',
    title: `News · ${d.date} · ${d.articles} articles on the universe`,
    fields: [
      { name: 'Most covered', value: covered || 'no articles today' },
      { name: 'Sentiment by sector (▲ positive, ▼ negative, the providers\' labels)', value: sectors || '—' },
      { name: `Movers and their news${d.barsFor < d.universe / 2 ? ` (bars stored for ${d.barsFor} of ${d.universe} names: next-day-prep loads the universe's)` : ''}`, value: movers || 'no bars for today yet' },
      { name: `New since the last post (${d.newSinceLast})`, value: d.newHeadlines.join('\n') || 'nothing new' },
    ],
    footer: d.synthetic ? 'synthetic articles from the demo market' : 'news: sentiment where the provider gives it',
    demo: d.synthetic,
  };
}
