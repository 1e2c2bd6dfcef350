import type { IsoDate } from '../calendar/dates.js';
import { contractOf, ProviderError, type Bar, type FetchNotes, type MarketDataProvider, type SeriesContract } from './provider.js';
import type { SnapshotBatch } from './snapshot.js';

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
  getGroupedDaily?: (date: IsoDate, symbols?: string[], notes?: FetchNotes) => Promise<Bar[]>;
  getSnapshot?: (symbols: string[], at: Date) => Promise<SnapshotBatch>;
  readonly snapshotsAnyTime?: boolean;

  constructor(
    readonly primary: MarketDataProvider,
    readonly secondary: MarketDataProvider,
    private readonly onFailover: (notice: FailoverNotice) => Promise<void> | void,
  ) {
    this.id = primary.id;
    this.lastServedBy = primary.id;
    if (primary.getGroupedDaily) {
      this.getGroupedDaily = (date, symbols, notes) =>
        this.serve(
          'getGroupedDaily',
          () => primary.getGroupedDaily!(date, symbols, notes),
          () => (secondary.getGroupedDaily ? secondary.getGroupedDaily(date, symbols, notes) : secondary.getDailyBars(symbols ?? [], date, date, notes)),
        );
    }
    // Snapshots from whichever of the two serves them, the primary first.
    const snapshotters = [primary, secondary].filter((p) => p.getSnapshot);
    if (snapshotters.length) {
      this.snapshotsAnyTime = snapshotters.every((p) => p.snapshotsAnyTime === true);
      this.getSnapshot = (symbols, at) => this.serve('getSnapshot', () => snapshotters[0]!.getSnapshot!(symbols, at), () => (snapshotters[1] ?? snapshotters[0]!).getSnapshot!(symbols, at), snapshotters[0]!.id, snapshotters[1]?.id);
    }
  }

  requestsFor(symbols: number, days: number): number {
    return this.primary.requestsFor?.(symbols, days) ?? 1;
  }

  /** The contract of whoever answered the last call: the caller checks it against the stored series. */
  contract(symbol: string): SeriesContract {
    return contractOf(this.lastServedBy === this.secondary.id ? this.secondary : this.primary, symbol);
  }

  getDailyBars(symbols: string[], from: IsoDate, to: IsoDate, notes?: FetchNotes): Promise<Bar[]> {
    return this.serve('getDailyBars', () => this.primary.getDailyBars(symbols, from, to, notes), () => this.secondary.getDailyBars(symbols, from, to, notes));
  }

  private async serve<T>(operation: string, first: () => Promise<T>, second: () => Promise<T>, firstId = this.primary.id, secondId: string | undefined = this.secondary.id): Promise<T> {
    try {
      const out = await first();
      this.lastServedBy = firstId;
      return out;
    } catch (err) {
      if (!(err instanceof ProviderError) || secondId === undefined) throw err;
      await this.onFailover({ primary: firstId, secondary: secondId, operation, reason: err.message, kind: err.kind });
      const out = await second();
      this.lastServedBy = secondId;
      return out;
    }
  }
}
