import { DateTime } from 'luxon';
import type { IsoDate } from '../calendar/dates.js';
import { isTradingDay, MARKET_ZONE, sessionClose, sessionOpen } from '../calendar/nyse.js';
import { DEMO_REAL_SYMBOL, demoBars, demoIntradayPath } from './demo-market.js';
import { ProviderError, validateBars, type Bar, type MarketDataProvider, type SeriesContract } from './provider.js';
import { validateSnapshots, volumeShare, type Snapshot, type SnapshotBatch } from './snapshot.js';

export { DEMO_FIRST_DATE, DEMO_LAST_REAL_DATE, DEMO_REAL_SYMBOL } from './demo-market.js';

/**
 * The offline provider: serves the demo market (./demo-market.ts). SPX is real through 2020-04-17 and a
 * labelled continuation after; every other symbol is synthetic and derived from it; each bar says which.
 */
export class DemoProvider implements MarketDataProvider {
  readonly id = 'demo';

  contract(): SeriesContract {
    return { provider: 'demo', feed: 'demo', adjustment: 'split' };
  }

  async getDailyBars(symbols: string[], from: IsoDate, to: IsoDate): Promise<Bar[]> {
    const raw: Bar[] = symbols.flatMap((symbol) => demoBars(symbol, from, to).map((b) => ({ symbol, ...b })));
    return validateBars(this.id, 'getDailyBars', raw);
  }

  async getGroupedDaily(date: IsoDate, symbols: string[] = [DEMO_REAL_SYMBOL]): Promise<Bar[]> {
    return this.getDailyBars(symbols, date, date);
  }

  readonly snapshotsAnyTime = true;

  /** The day so far at `at` on the demo's intraday path (demo-market.ts): at the close, the daily bar itself. */
  async getSnapshot(symbols: string[], at: Date): Promise<SnapshotBatch> {
    const date = DateTime.fromJSDate(at, { zone: MARKET_ZONE }).toISODate()!;
    if (!isTradingDay(date)) throw new ProviderError(this.id, 'snapshot', `${date} is not a trading day`);
    const open = sessionOpen(date).getTime();
    const close = sessionClose(date).getTime();
    const session = Math.round((close - open) / 60_000);
    const minute = Math.max(0, Math.min(session, Math.floor((at.getTime() - open) / 60_000)));
    const rows: Snapshot[] = [];
    const missing = new Map<string, string>();
    for (const symbol of symbols) {
      const path = demoIntradayPath(symbol, date, session);
      if (!path) {
        missing.set(symbol, `demo snapshot: no demo bar for ${symbol} on ${date}`);
        continue;
      }
      let high = -Infinity;
      let low = Infinity;
      for (let k = 0; k <= minute; k++) {
        high = Math.max(high, path.prices[k]!);
        low = Math.min(low, path.prices[k]!);
      }
      rows.push({
        symbol, date, open: path.bar.open, high, low, last: path.prices[minute]!, prevClose: path.prevClose,
        volume: minute >= session ? path.bar.volume : Math.round(path.bar.volume * volumeShare(minute, session) ** path.volumeBend),
        lastTradeAt: open + minute * 60_000,
      });
    }
    return { rows: validateSnapshots(this.id, 'snapshot', rows, missing, symbols), delayed: false, missing };
  }
}
