import { DateTime } from 'luxon';
import { addDays, type IsoDate } from '../calendar/dates.js';
import { isTradingDay, tradingDaysBetween } from '../calendar/nyse.js';
import { demoBars, hash, prng } from '../market-data/demo-market.js';
import { loadUniverse } from '../market-data/universe.js';
import type { Article, EarningsEvent, EarningsProvider, EconomicEvent, EconomicProvider, Fetched, NewsProvider, Sentiment } from './contracts.js';

/**
 * The demo's information, with no key: news derived from the demo market's own bars (a big move or a volume
 * spike gets a headline saying what the bars show), a quarterly earnings cadence per symbol, and the real 2020
 * calendar of CPI, jobs reports and jobless claims (FOMC decisions come from the kept list, fomc-fallback.ts).
 * Every article and report is labelled synthetic.
 */
const ZONE = 'America/New_York';

/** A move or volume this large makes news on the demo. */
export const DEMO_NEWS_MOVE = 0.04;
export const DEMO_NEWS_VOLUME = 2.5;

const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`;

export class DemoNews implements NewsProvider {
  readonly id = 'demo';
  readonly scoresSentiment = true;

  /**
   * One article per symbol and session whose close-to-close move or volume (against its 20-session average)
   * stands out, published at 16:10 New York that day: nothing is known before the bars it describes.
   */
  async news(from: Date, to: Date, universe: ReadonlySet<string>): Promise<Fetched<Article>> {
    const first = DateTime.fromJSDate(from, { zone: ZONE }).toISODate()!;
    const last = DateTime.fromJSDate(to, { zone: ZONE }).toISODate()!;
    const days = tradingDaysBetween(first, last);
    const items: Article[] = [];
    if (days.length === 0) return { items, problems: [], requests: 0 };
    for (const symbol of [...universe].sort()) {
      const bars = demoBars(symbol, addDays(days[0]!, -40), days[days.length - 1]!);
      for (let i = 21; i < bars.length; i++) {
        const b = bars[i]!;
        if (b.date < days[0]! || b.date > days[days.length - 1]!) continue;
        const published = DateTime.fromISO(`${b.date}T16:10:00`, { zone: ZONE }).toJSDate();
        if (published < from || published >= to) continue;
        const move = b.close / bars[i - 1]!.close - 1;
        const avgVol = bars.slice(i - 20, i).reduce((s, x) => s + x.volume, 0) / 20;
        const volX = avgVol > 0 ? b.volume / avgVol : 1;
        if (Math.abs(move) < DEMO_NEWS_MOVE && volX < DEMO_NEWS_VOLUME) continue;
        const label: Sentiment = move > 0.01 ? 'positive' : move < -0.01 ? 'negative' : 'neutral';
        const base = { publishedAt: published, source: 'signaldesk demo', tickers: [symbol], synthetic: true, provider: 'demo' };
        const sentiment = { [symbol]: { label, reasoning: `synthetic: the day's bar moved ${pct(move)}`, score: null } };
        if (Math.abs(move) >= DEMO_NEWS_MOVE) {
          const id = `${symbol}-${b.date}-move`;
          items.push({
            ...base, key: `demo:${id}`, id, title: `${symbol} ${move >= 0 ? 'rises' : 'falls'} ${pct(move).replace(/^[+−]/, '')} (synthetic)`, sentiment,
            summary: `Synthetic demo article: the demo market's bars for ${b.date} show a close of ${b.close.toFixed(2)} (${pct(move)}).`, url: `https://demo.invalid/news/${id}`,
          });
        }
        if (volX >= DEMO_NEWS_VOLUME) {
          const id = `${symbol}-${b.date}-volume`;
          items.push({
            ...base, key: `demo:${id}`, id, title: `${symbol} trades ${volX.toFixed(1)}× its usual volume (synthetic)`, sentiment,
            summary: `Synthetic demo article: volume on ${b.date} was ${volX.toFixed(1)}× the 20-session average; the close moved ${pct(move)}.`, url: `https://demo.invalid/news/${id}`,
          });
        }
      }
    }
    return { items: items.sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime() || a.key.localeCompare(b.key)), problems: [], requests: 0 };
  }
}

export class DemoEarnings implements EarningsProvider {
  readonly id = 'demo';

  /**
   * Each symbol reports four times a year on its own day of each reporting season (3 to 7 weeks after the
   * quarter ends), before the open or after the close, with an EPS estimate; ETFs do not report. Synthetic.
   */
  async earnings(from: IsoDate, to: IsoDate, universe: ReadonlySet<string>): Promise<Fetched<EarningsEvent>> {
    const items: EarningsEvent[] = [];
    const y0 = Number(from.slice(0, 4));
    const y1 = Number(to.slice(0, 4));
    for (const symbol of [...universe].sort()) {
      if (isEtf(symbol)) continue;
      const rand = prng(hash(`earnings:${symbol}`));
      const offset = 20 + Math.floor(rand() * 30);
      const hour = rand() < 0.55 ? 'amc' : 'bmo';
      const base = 0.5 + rand() * 3;
      // Most fiscal years end with the calendar's; some a month or two earlier (their quarters end Feb/May/Aug/Nov
      // or Jan/Apr/Jul/Oct), so reports come in every month, as they do.
      const r = rand();
      const shift = r < 0.7 ? 0 : r < 0.85 ? 1 : 2;
      for (let y = y0 - 1; y <= y1 + 1; y++) {
        for (const q of [1, 2, 3, 4]) {
          const quarterEnd = DateTime.fromObject({ year: y, month: q * 3, day: 1 }, { zone: ZONE }).minus({ months: shift }).endOf('month');
          let d = quarterEnd.plus({ days: offset }).toISODate()!;
          while (!isTradingDay(d)) d = addDays(d, 1);
          if (d < from || d > to) continue;
          const est = Math.round(base * (1 + 0.02 * (y - 2000)) * (0.9 + 0.2 * ((hash(`${symbol}${y}${q}`) % 100) / 100)) * 100) / 100;
          items.push({ symbol, date: d, hour, epsEstimate: est, epsActual: null, revenueEstimate: null, name: null, fiscalPeriod: `quarter ending ${quarterEnd.toISODate()}`, provider: 'demo', synthetic: true });
        }
      }
    }
    return { items: items.sort((a, b) => a.date.localeCompare(b.date) || a.symbol.localeCompare(b.symbol)), problems: [], requests: 0 };
  }
}

/** Funds and indices report no earnings (the universe marks them ETF or INDEX). */
function isEtf(symbol: string): boolean {
  const e = loadUniverse().find((u) => u.symbol === symbol);
  return e ? e.indices.some((i) => i === 'ETF' || i === 'INDEX') : false;
}

/**
 * 2020 as it was (BLS's 2020 release schedules; the Fed's 2020 meeting calendar and its two emergency cuts).
 * CPI and the jobs report at 08:30; jobless claims every Thursday at 08:30 (the Wednesday before Thanksgiving
 * and Christmas Day); FOMC decisions at 14:00 with the press conference at 14:30.
 */
export const CALENDAR_2020 = {
  cpi: ['2020-01-14', '2020-02-13', '2020-03-11', '2020-04-10', '2020-05-12', '2020-06-10', '2020-07-14', '2020-08-12', '2020-09-11', '2020-10-13', '2020-11-12', '2020-12-10'],
  jobs: ['2020-01-10', '2020-02-07', '2020-03-06', '2020-04-03', '2020-05-08', '2020-06-05', '2020-07-02', '2020-08-07', '2020-09-04', '2020-10-02', '2020-11-06', '2020-12-04'],
} as const;

export class DemoEconomic implements EconomicProvider {
  readonly id = 'demo';

  async events(from: IsoDate, to: IsoDate): Promise<Fetched<EconomicEvent>> {
    const items: EconomicEvent[] = [];
    const add = (date: string, e: Omit<EconomicEvent, 'date' | 'provider' | 'synthetic'>) => {
      if (date >= from && date <= to) items.push({ date: date as IsoDate, provider: 'demo', synthetic: false, ...e });
    };
    for (const d of CALENDAR_2020.cpi) add(d, { time: '08:30', name: 'CPI (consumer prices)', kind: 'cpi', note: null });
    for (const d of CALENDAR_2020.jobs) add(d, { time: '08:30', name: 'Jobs report (Employment Situation)', kind: 'jobs', note: null });
    for (let d = '2020-01-02'; d <= '2020-12-31'; d = addDays(d, 1)) {
      if (DateTime.fromISO(d).weekday !== 4) continue;
      const when = d === '2020-11-26' ? '2020-11-25' : d === '2020-12-24' ? '2020-12-23' : d;
      add(when, { time: '08:30', name: 'Jobless claims', kind: 'claims', note: null });
    }
    return { items: items.sort((a, b) => a.date.localeCompare(b.date) || (a.time ?? '').localeCompare(b.time ?? '')), problems: [], requests: 0 };
  }
}
