import { addDays, type IsoDate } from '../calendar/dates.js';
import { isTradingDay, previousTradingDay } from '../calendar/nyse.js';
import { DateTime } from 'luxon';
import type { Env } from '../config/env.js';
import { WorldDay } from '../db/models/world.js';
import { UserFacingError } from '../errors.js';
import { barsOn } from '../market-data/bar-store.js';
import { fetchMarketData } from '../market-data/fetch-service.js';
import { providerFor } from '../market-data/providers.js';
import { fitLines, type PostInput } from '../notify/post.js';
import { loadWorld, worldPairs } from './world-list.js';
import { worldSources } from './world-sources.js';
import { upsertRacing } from '../db/connection.js';

export interface WorldRow {
  region: string;
  country: string;
  etf: string;
  /** The ETF's move on the US session (close against the previous close), percent; null without both bars. */
  etfPct: number | null;
  close: number | null;
  currency: string | null;
  /** The pair's move over the day (its day bar's open to close), percent. */
  currencyPct: number | null;
  local: { name: string; date: string; close: number; pct: number | null } | null;
}

export interface WorldBoard {
  date: IsoDate;
  rows: WorldRow[];
  regions: Array<{ region: string; pct: number; markets: number }>;
  crypto: Array<{ symbol: string; close: number; pct: number | null; asOf: string }>;
  yields: Array<{ name: string; date: string; level: number; changeBp: number | null }>;
  notes: string[];
  notServed: string;
  synthetic: boolean;
}

const pct = (a: number, b: number) => (b > 0 ? ((a / b) - 1) * 100 : null);

/**
 * The world on a New York date, from what was known by that evening: the country ETFs' US session (stored bars,
 * fetched when missing — the only provider requests), the day's currency moves, crypto at the day's end, the
 * Nikkei's close and US yields from FRED (a day late). Regions ranked by their ETFs' average move.
 */
export async function buildWorldBoard(env: Env, date: IsoDate): Promise<WorldBoard> {
  const w = loadWorld();
  const sources = worldSources(env);
  const notes: string[] = [];
  const etfs = w.markets.map((m) => m.etf);
  const prev = previousTradingDay(date);
  let today = await barsOn(etfs, date);
  if (today.size < etfs.length) {
    await fetchMarketData({ date, symbols: etfs, provider: providerFor(env) }).catch((err: unknown) => notes.push(`country ETFs: ${(err as Error).message.slice(0, 120)}`));
    today = await barsOn(etfs, date);
  }
  const before = await barsOn(etfs, prev);
  const fx = await sources.fx(date, worldPairs(w)).catch((err: unknown) => ({ quotes: [], note: `currencies: ${(err as Error).message.slice(0, 120)}` }));
  if (fx.note) notes.push(fx.note);
  const fxBy = new Map(fx.quotes.map((q) => [q.symbol, q]));
  /** A FRED series' last two values up to the date (a missing day's "." skipped); what went wrong goes to the notes. */
  const lastTwo = async (series: string, name: string): Promise<{ last?: { date: string; value: number }; prior?: { date: string; value: number } }> => {
    const s = await sources.series(series, addDays(date, -10), date).catch((err: unknown) => ({ points: [], note: (err as Error).message.slice(0, 120) }));
    if (s.note) notes.push(`${name}: ${s.note}`);
    const pts = s.points.flatMap((p) => (p.value === null ? [] : [{ date: p.date, value: p.value }]));
    return { last: pts.at(-1), prior: pts.at(-2) };
  };
  const locals = new Map<string, WorldRow['local']>();
  for (const m of w.markets) {
    if (!m.localIndex || locals.has(m.localIndex.series)) continue;
    const { last, prior } = await lastTwo(m.localIndex.series, m.localIndex.name);
    locals.set(m.localIndex.series, last ? { name: m.localIndex.name, date: last.date, close: last.value, pct: prior ? pct(last.value, prior.value) : null } : null);
  }
  const rows: WorldRow[] = w.markets.map((m) => {
    const t = today.get(m.etf);
    const b = before.get(m.etf);
    const q = m.currency ? fxBy.get(m.currency) : undefined;
    return {
      region: m.region, country: m.country, etf: m.etf, etfPct: t && b ? pct(t.close, b.close) : null, close: t?.close ?? null,
      currency: m.currency, currencyPct: q ? pct(q.close, q.open) : null, local: m.localIndex ? (locals.get(m.localIndex.series) ?? null) : null,
    };
  });
  const byRegion = new Map<string, number[]>();
  for (const r of rows) if (r.etfPct !== null) byRegion.set(r.region, [...(byRegion.get(r.region) ?? []), r.etfPct]);
  const regions = [...byRegion].map(([region, xs]) => ({ region, pct: xs.reduce((a, x) => a + x, 0) / xs.length, markets: xs.length })).sort((a, b) => b.pct - a.pct);
  const c = await sources.crypto(date, w.crypto).catch((err: unknown) => ({ quotes: new Map(), note: `crypto: ${(err as Error).message.slice(0, 120)}` }));
  if (c.note) notes.push(c.note);
  const endOfDay = DateTime.fromISO(`${addDays(date, 1)}T00:00`, { zone: 'America/New_York' }).toMillis(); // midnight New York
  const crypto = w.crypto.flatMap((symbol) => {
    const list = ((c.quotes.get(symbol) ?? []) as Array<{ close: number; t: number }>).filter((q) => q.t < endOfDay);
    const last = list.at(-1);
    const prior = list.at(-2);
    return last ? [{ symbol, close: last.close, pct: prior ? pct(last.close, prior.close) : null, asOf: new Date(last.t).toISOString().slice(0, 10) }] : [];
  });
  const yields: WorldBoard['yields'] = [];
  for (const y of w.yields) {
    const { last, prior } = await lastTwo(y.series, y.name);
    if (last) yields.push({ name: y.name, date: last.date, level: last.value, changeBp: prior ? Math.round((last.value - prior.value) * 100) : null });
  }
  const board: WorldBoard = { date, rows, regions, crypto, yields, notes: [...new Set(notes)], notServed: w.notServed, synthetic: sources.synthetic };
  await upsertRacing((upsert) => WorldDay.replaceOne({ _id: date }, { _id: date, board, at: new Date() }, { upsert }));
  return board;
}

/** The last trading day whose 20:00 board is due by now (New York). */
export function latestBoardDate(now = new Date()): IsoDate {
  const ny = DateTime.fromJSDate(now, { zone: 'America/New_York' });
  const today = ny.toISODate()! as IsoDate;
  return isTradingDay(today) && ny.hour >= 20 ? today : previousTradingDay(today);
}

/** The stored board of a date (`_id` lookup), or a clear error saying how to make it. */
export async function worldView(date: IsoDate): Promise<WorldBoard> {
  const doc = await WorldDay.findById(date).lean();
  if (!doc) throw new UserFacingError('NO_WORLD', `No world board stored for ${date}: international-markets makes it at 20:00; run it with: signaldesk run international-markets --date ${date}`);
  return doc.board as WorldBoard;
}

/** The board as a PNG: every market's ETF move, best first, grouped by nothing but the move (one glance). */
export async function worldChart(b: WorldBoard, theme: 'dark' | 'light' = 'dark'): Promise<{ png: Buffer; filename: string }> {
  const { renderBarChart } = await import('../charts/bar-chart.js');
  const bars = b.rows.filter((r) => r.etfPct !== null).sort((x, y) => y.etfPct! - x.etfPct!).map((r) => ({ label: `${r.country} (${r.etf})`, value: r.etfPct! }));
  const png = renderBarChart({
    title: `The world · ${b.date}`, subtitle: `country ETFs on the US session (currency included)${b.synthetic ? ' · synthetic demo data' : ''}`, bars, theme,
    format: (v) => `${v >= 0 ? '+' : ''}${v.toFixed(2)} %`, axisFormat: (v) => `${Number(v.toFixed(2))} %`,
  });
  return { png, filename: `world-${b.date}.png` };
}

const signed = (x: number | null, dp = 2) => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(dp)} %`);

export function worldPost(b: WorldBoard): PostInput {
  const lines = b.regions.map((r) => {
    const members = b.rows.filter((x) => x.region === r.region).sort((x, y) => (y.etfPct ?? -99) - (x.etfPct ?? -99));
    return `**${r.region} ${signed(r.pct)}** — ${members.map((m) => `${m.country} ${signed(m.etfPct)} (${m.etf})`).join(' · ')}`;
  });
  const fx = b.rows.filter((r) => r.currency && r.currencyPct !== null).map((r) => `${r.currency} ${signed(r.currencyPct)}`);
  const locals = b.rows.flatMap((r) => (r.local ? [`${r.local.name} ${r.local.close.toLocaleString('en-US')} (close of ${r.local.date}, FRED, a day late) ${signed(r.local.pct)}`] : []));
  return {
    kind: 'digests',
    title: `The world · ${b.date}`,
    description: fitLines([...lines, '', 'Country ETFs on the US session (their moves include the currency).'], 4000),
    fields: [
      { name: 'The dollar (the day\'s move)', value: fitLines([...new Set(fx)], 1024) || 'not served today' },
      { name: 'Crypto (at midnight New York)', value: b.crypto.map((c) => `${c.symbol} ${c.close.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${signed(c.pct)}`).join(' · ') || 'not served today' },
      { name: 'US yields (FRED)', value: b.yields.map((y) => `${y.name} ${y.level.toFixed(2)} % (${y.changeBp === null ? 'n/a' : `${y.changeBp >= 0 ? '+' : ''}${y.changeBp} bp`}, ${y.date})`).join(' · ') || (b.synthetic ? 'no US yields on the demo' : 'not served (FRED_API_KEY)') },
      { name: 'Local indices', value: fitLines(locals, 1024) || (b.synthetic ? 'no local index on the demo' : 'none served') },
      { name: 'Not served', value: fitLines([b.notServed, ...b.notes], 1024) },
    ],
    footer: b.synthetic ? 'demo: the ETFs derived from the demo market, currencies and crypto seeded paths — synthetic' : 'country ETFs (US hours), currencies and crypto as quoted',
    demo: b.synthetic,
  };
}
