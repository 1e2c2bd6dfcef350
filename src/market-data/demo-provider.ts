import type { IsoDate } from '../calendar/dates.js';
import { DEMO_REAL_SYMBOL, demoBars } from './demo-market.js';
import { validateBars, type Bar, type MarketDataProvider, type SeriesContract } from './provider.js';

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
}
