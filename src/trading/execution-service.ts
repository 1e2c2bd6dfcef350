import type { IsoDate } from '../calendar/dates.js';
import { isDuplicateKey } from '../db/connection.js';
import { CapitalInjection } from '../db/models/capital-injection.js';
import { Signal } from '../db/models/signal.js';
import { Trade } from '../db/models/trade.js';
import { UserFacingError } from '../errors.js';
import { barsOn } from '../market-data/bar-store.js';
import { getVersion } from '../strategy/config-versions.js';
import type { SignalResult } from '../strategy/signal.js';
import { applyFill, cloneState, injectCapital, marketValue, planFills, type Fill, type Holding } from './ledger.js';
import { pauseState } from './pause-service.js';
import { lastCloses, ledgerBefore, syncPositions } from './portfolio-store.js';

export interface ExecutionReport {
  portfolio: string;
  date: IsoDate;
  action: string;
  executed: boolean;
  reason: string | null;
  fills: Fill[];
  newTrades: number;
  notes: string[];
  capitalInjected: number;
  cash: number;
  equity: number;
  positions: Holding[];
}

async function insertIgnoringDuplicates<T>(insert: () => Promise<T>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Execute a trade date's signal at that day's opening prices. Idempotent: the capital injection
 * is unique per (portfolio, date) and each trade per (signal, symbol), and orders are planned
 * against the holdings before the date, so a re-run plans the same fills and inserts nothing new.
 */
export async function executeTradesFor(portfolio: string, date: IsoDate): Promise<ExecutionReport> {
  const signal = await Signal.findOne({ portfolio, tradeDate: date }).lean();
  if (!signal) {
    throw new UserFacingError('NO_SIGNAL', `No signal for portfolio "${portfolio}" on ${date}: run \`generate-signal --date ${date}\` first.`);
  }
  const before = await ledgerBefore(portfolio, date);
  const base = { portfolio, date, action: signal.action };
  const notExecuted = (reason: string): ExecutionReport => ({
    ...base, executed: false, reason, fills: [], newTrades: 0, notes: [], capitalInjected: 0, cash: before.cash, equity: before.cash, positions: [...before.holdings.values()],
  });
  const pause = await pauseState(portfolio);
  if (pause.paused) {
    return notExecuted(`trading is paused (${pause.changedBy}, ${pause.changedAt}${pause.reason ? `: ${pause.reason}` : ''}); /resume, then re-run execute-trades --date ${date} to catch up`);
  }
  const config = await getVersion(portfolio, signal.configVersion);
  const features = signal.features as SignalResult['features_used'];
  const allocations = signal.allocations as Record<string, number>;
  const needed = signal.action === 'BUY' ? Object.keys(allocations) : signal.action === 'SELL' ? [...before.holdings.keys()] : [];
  const bars = await barsOn(needed, date);
  const opens: Record<string, number | undefined> = Object.fromEntries([...bars].map(([s, b]) => [s, b.open]));
  if (needed.length > 0 && needed.every((s) => opens[s] === undefined)) {
    return notExecuted(`no opening price on ${date} for ${needed.join(', ')}: nothing executed (load the day's bars, then re-run execute-trades --date ${date})`);
  }
  const amount = config.params.daily_capital;
  await insertIgnoringDuplicates(() => CapitalInjection.create({ portfolio, date, amount, createdAt: new Date() }));
  const plan = planFills({ action: signal.action, allocations, sellPct: features.sell_pct ?? 0 }, before.holdings, opens, date);
  let newTrades = 0;
  for (const f of plan.fills) {
    const created = await insertIgnoringDuplicates(() =>
      Trade.create({ portfolio, signalId: signal._id, tradeDate: date, symbol: f.symbol, action: f.action, quantity: f.quantity, price: f.price, amount: f.amount, realizedPnl: f.realizedPnl, createdAt: new Date() }),
    );
    if (created) newTrades++;
  }
  // The ledger after the day: the state before it, plus today's capital and fills (the same
  // fold the replay does, without re-reading the whole history).
  const state = cloneState(before);
  injectCapital(state, amount);
  for (const f of plan.fills) applyFill(state, f);
  await syncPositions(portfolio, state);
  const closes = await lastCloses([...state.holdings.keys()], date);
  return {
    ...base, executed: true, reason: null, fills: plan.fills, newTrades, notes: plan.notes, capitalInjected: amount,
    cash: state.cash, equity: state.cash + marketValue(state, closes), positions: [...state.holdings.values()],
  };
}
