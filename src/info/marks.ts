import type { IsoDate } from '../calendar/dates.js';
import { reportsSoon } from './earnings-soon.js';
import { dayCounts } from './info-store.js';

/**
 * What a scan line adds about a name: its news of the day so far (articles published by the scan's own time,
 * with the providers' labels counted) and an earnings report within two weeks. Nothing after `asOf` is used.
 */
export async function infoMarks(date: IsoDate, asOf: Date, symbols: string[]): Promise<Map<string, string>> {
  const [day, soon] = await Promise.all([dayCounts(date, asOf), reportsSoon(symbols, date)]);
  const out = new Map<string, string>();
  for (const s of symbols) {
    const parts: string[] = [];
    const c = day.bySymbol.get(s);
    if (c) parts.push(`news ${c.count}${c.positive || c.negative ? ` ▲${c.positive}▼${c.negative}` : ''}`);
    const d = soon.get(s);
    if (d !== undefined) parts.push(d === 0 ? 'reports today' : `reports in ${d}d`);
    if (parts.length) out.set(s, parts.join(' · '));
  }
  return out;
}
