import type { IsoDate } from '../calendar/dates.js';
import { reportsSoon } from './earnings-soon.js';
import { dayCounts } from './info-store.js';

/**
 * What a scan line adds about a name: its news of the day so far (articles published by the scan's own time,
 * with the providers' labels counted) and an earnings report within two weeks. Nothing after `asOf` is used.
 */
export async function infoMarks(date: IsoDate, asOf: Date, symbols: string[]): Promise<Map<string, string>> {
  const [day, soon] = await Promise.all([dayCounts(date), reportsSoon(symbols, date)]);
  const cut = asOf.toISOString();
  const counts = new Map<string, { n: number; up: number; down: number }>();
  for (const e of day.entries) {
    if (e.t > cut) continue;
    e.tickers.forEach((t, i) => {
      const c = counts.get(t) ?? { n: 0, up: 0, down: 0 };
      c.n++;
      if (e.ls?.[i] === 'positive') c.up++;
      if (e.ls?.[i] === 'negative') c.down++;
      counts.set(t, c);
    });
  }
  const out = new Map<string, string>();
  for (const s of symbols) {
    const parts: string[] = [];
    const c = counts.get(s);
    if (c) parts.push(`news ${c.n}${c.up || c.down ? ` ▲${c.up}▼${c.down}` : ''}`);
    const d = soon.get(s);
    if (d !== undefined) parts.push(d === 0 ? 'reports today' : `reports in ${d}d`);
    if (parts.length) out.set(s, parts.join(' · '));
  }
  return out;
}
