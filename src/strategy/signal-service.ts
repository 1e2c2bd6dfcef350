import { addDays, type IsoDate } from '../calendar/dates.js';
import { isDuplicateKey } from '../db/connection.js';
import { Signal } from '../db/models/signal.js';
import { readBars } from '../market-data/bar-store.js';
import { configForDate } from './config-versions.js';
import { ensureHistory } from '../market-data/ensure-history.js';
import type { MarketDataProvider } from '../market-data/provider.js';
import type { StrategyParams } from './config-schema.js';
import { generateSignal, type SignalResult } from './signal.js';

export interface StoredSignal {
  id: string;
  portfolio: string;
  tradeDate: IsoDate;
  configVersion: number;
  signal: SignalResult;
  created: boolean;
}

function toStored(doc: { _id: unknown; portfolio: string; tradeDate: string; configVersion: number; modelType: string; confidenceScore: number; allocations: unknown; features: unknown }, created: boolean): StoredSignal {
  return {
    id: String(doc._id),
    portfolio: doc.portfolio,
    tradeDate: doc.tradeDate,
    configVersion: doc.configVersion,
    created,
    signal: {
      trade_date: doc.tradeDate,
      model_type: 'regime_based',
      confidence_score: doc.confidenceScore,
      allocations: doc.allocations as Record<string, number>,
      features_used: doc.features as SignalResult['features_used'],
    },
  };
}

/**
 * The signal for a portfolio and trade date: computed from bars strictly before the date with
 * the config version in force that day, and stored once (unique portfolio + trade date). A second
 * run returns the stored signal unchanged.
 */
/** The signal the allocator makes for (portfolio, date) from the stored bars before the date; nothing is written. */
export async function computeSignal(portfolio: string, tradeDate: IsoDate, provider?: MarketDataProvider): Promise<{ result: SignalResult; configVersion: number; params: StrategyParams }> {
  const config = await configForDate(portfolio, tradeDate);
  // lookback trading days ≈ 1.5 × calendar days, plus room for holidays.
  const from = addDays(tradeDate, -Math.ceil(config.params.lookback_days * 1.5) - 10);
  if (provider) await ensureHistory(config.params.assets, from, addDays(tradeDate, -1), provider);
  const bars = await readBars(config.params.assets, from, addDays(tradeDate, -1));
  const history = Object.fromEntries([...bars].map(([s, list]) => [s, list.map((b) => ({ date: b.date, close: b.close }))]));
  return { result: generateSignal({ tradeDate, params: config.params, history }), configVersion: config.version, params: config.params };
}

export async function generateSignalFor(portfolio: string, tradeDate: IsoDate): Promise<StoredSignal> {
  const existing = await Signal.findOne({ portfolio, tradeDate }).lean();
  if (existing) return toStored(existing, false);
  const { result, configVersion } = await computeSignal(portfolio, tradeDate);
  const config = { version: configVersion };
  try {
    const doc = await Signal.create({
      portfolio, tradeDate, configVersion: config.version, modelType: result.model_type, action: result.features_used.action,
      confidenceScore: result.confidence_score, allocations: result.allocations, features: result.features_used,
      dataThrough: result.features_used.data_through || 'none', createdAt: new Date(),
    });
    return toStored(doc.toObject(), true);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const raced = await Signal.findOne({ portfolio, tradeDate }).lean();
    return toStored(raced!, false);
  }
}

export async function findSignal(portfolio: string, tradeDate?: IsoDate): Promise<StoredSignal | undefined> {
  const doc = tradeDate
    ? await Signal.findOne({ portfolio, tradeDate }).lean()
    : await Signal.findOne({ portfolio }).sort({ tradeDate: -1 }).lean();
  return doc ? toStored(doc, false) : undefined;
}
