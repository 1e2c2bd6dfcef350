import type { IsoDate } from '../calendar/dates.js';
import { ProviderError, type Bar, type MarketDataProvider } from './provider.js';

export interface FailoverNotice {
  primary: string;
  secondary: string;
  operation: string;
  reason: string;
  kind: string;
}

/**
 * Primary first; when it fails (or its breaker is open) the secondary serves the same request and
 * `onFailover` is told (the ops channel). `lastServedBy` names who answered the last call.
 */
export class FailoverProvider implements MarketDataProvider {
  readonly id: string;
  lastServedBy: string;
  getGroupedDaily?: (date: IsoDate, symbols?: string[]) => Promise<Bar[]>;

  constructor(
    readonly primary: MarketDataProvider,
    readonly secondary: MarketDataProvider,
    private readonly onFailover: (notice: FailoverNotice) => Promise<void> | void,
  ) {
    this.id = primary.id;
    this.lastServedBy = primary.id;
    if (primary.getGroupedDaily) {
      this.getGroupedDaily = (date, symbols) =>
        this.serve(
          'getGroupedDaily',
          () => primary.getGroupedDaily!(date, symbols),
          () => (secondary.getGroupedDaily ? secondary.getGroupedDaily(date, symbols) : secondary.getDailyBars(symbols ?? [], date, date)),
        );
    }
  }

  requestsFor(symbols: number, days: number): number {
    return this.primary.requestsFor?.(symbols, days) ?? 1;
  }

  getDailyBars(symbols: string[], from: IsoDate, to: IsoDate): Promise<Bar[]> {
    return this.serve('getDailyBars', () => this.primary.getDailyBars(symbols, from, to), () => this.secondary.getDailyBars(symbols, from, to));
  }

  private async serve(operation: string, first: () => Promise<Bar[]>, second: () => Promise<Bar[]>): Promise<Bar[]> {
    try {
      const bars = await first();
      this.lastServedBy = this.primary.id;
      return bars;
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      await this.onFailover({ primary: this.primary.id, secondary: this.secondary.id, operation, reason: err.message, kind: err.kind });
      const bars = await second();
      this.lastServedBy = this.secondary.id;
      return bars;
    }
  }
}
