import type { Types } from 'mongoose';
import { DateTime } from 'luxon';
import type { IsoDate } from '../calendar/dates.js';
import type { Env } from '../config/env.js';
import { isDuplicateKey, upsertRacing } from '../db/connection.js';
import { HOLDER_ID, oneWriterAtATime } from '../db/lease.js';
import { BrokerOrder, BrokerState } from '../db/models/broker.js';
import { CapitalInjection } from '../db/models/capital-injection.js';
import { AuditEntry } from '../db/models/audit-entry.js';
import { Signal } from '../db/models/signal.js';
import { Trade } from '../db/models/trade.js';
import { describeError, UserFacingError } from '../errors.js';
import { httpCommon } from '../market-data/providers.js';
import { ProviderError } from '../market-data/provider.js';
import { enqueuePost } from '../notify/outbox.js';
import { getActiveConfig } from '../strategy/config-versions.js';
import type { SignalResult } from '../strategy/signal.js';
import { applyFill, cloneState, floorQty, type Fill } from '../trading/ledger.js';
import { pauseState } from '../trading/pause-service.js';
import { lastCloses, ledgerBefore, syncPositions } from '../trading/portfolio-store.js';
import { AlpacaBroker, tradingUrl } from './alpaca-broker.js';
import { clientOrderId } from './client-order-id.js';
import type { Broker, BrokerOrder as Order, OrderRequest, TimeInForce } from './contracts.js';
import { TERMINAL } from './contracts.js';

const ZONE = 'America/New_York';
/** An index asset trades through its ETF (said in the posts). */
export const TRADED_AS: Record<string, string> = { SPX: 'SPY', NDX: 'QQQ', DJI: 'DIA' };
/** A claim whose process died before the broker knew the order: looked up, then placed, after this long. */
const STALE_CLAIM_MS = 60_000;

let cached: { key: string; broker: Broker } | undefined;

/**
 * Live trading needs two switches: ALPACA_LIVE=yes in the environment (checked at start) and an admin's
 * confirmed `broker live on` (stored, audited). Without the second, nothing is sent to the live endpoint.
 */
export async function checkLiveSwitch(env: Env): Promise<void> {
  if (env.ALPACA_LIVE !== 'yes' || new URL(env.ALPACA_TRADING_URL).hostname !== 'api.alpaca.markets') return;
  const on = (await BrokerState.findById('live').lean())?.value as { on: boolean } | undefined;
  if (!on?.on) throw new UserFacingError('LIVE_NOT_CONFIRMED', 'ALPACA_LIVE=yes points at the live endpoint, but no admin has confirmed live trading: an admin runs `/broker live on` (confirmed, audited) first. Nothing was sent.');
}

export async function setLiveSwitch(on: boolean, actor: { id: string; name: string; source: 'discord' | 'cli' | 'job' | 'system' }, now = new Date()): Promise<{ on: boolean }> {
  const before = (await BrokerState.findById('live').lean())?.value ?? { on: false };
  await upsertRacing((upsert) => BrokerState.replaceOne({ _id: 'live' }, { _id: 'live', value: { on, by: `${actor.source}:${actor.name}`, at: now.toISOString() }, at: now }, { upsert }));
  await AuditEntry.create({ at: now, actorId: actor.id, actorName: actor.name, source: actor.source, action: 'broker.live', target: 'alpaca', before, after: { on }, result: 'ok' });
  return { on };
}

/** The account's broker for this environment (one client per process: its rate limit and breaker are shared). */
export function brokerFor(env: Env): Broker {
  if (!env.ALPACA_KEY_ID || !env.ALPACA_SECRET_KEY) {
    throw new UserFacingError('BROKER_KEYS', 'A portfolio trades through alpaca but ALPACA_KEY_ID and ALPACA_SECRET_KEY are not set (the paper account\'s keys).');
  }
  const url = tradingUrl(env);
  const key = `${url}|${env.ALPACA_KEY_ID}`;
  if (cached?.key !== key) {
    cached = { key, broker: new AlpacaBroker({ ...httpCommon(env), baseUrl: url, keyId: env.ALPACA_KEY_ID, secretKey: env.ALPACA_SECRET_KEY, perMinute: env.ALPACA_TRADING_CALLS_PER_MIN }) };
  }
  return cached.broker;
}

/** The New York wall-clock minute of a moment ("09:15"). */
const nyTime = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).toFormat('HH:mm');
/** opg is accepted from 19:00 the evening before to 09:28. */
export const inOpgWindow = (now: Date, date: IsoDate): boolean => {
  const ny = DateTime.fromJSDate(now, { zone: ZONE });
  const day = ny.toISODate();
  return (day === date && nyTime(now) < '09:28') || (day! < date && nyTime(now) >= '19:00');
};

export interface PlannedOrder {
  /** Whole shares (market-on-open when planned before 09:28, else a day order). */
  whole: boolean;
  symbol: string;
  signalSymbol: string;
  side: 'buy' | 'sell';
  timeInForce: TimeInForce;
  qty?: number;
  notional?: number;
}

/**
 * The day's orders of a broker portfolio (pure): a BUY's allocation in whole shares at the last close as
 * market-on-open, the rest of its dollars as a notional day order after the open (≥ $1.00, two decimals); a
 * SELL's share of each holding, whole shares on the open and the fraction after it.
 */
export function planOrders(action: string, allocations: Record<string, number>, sellPct: number, holdings: Map<string, { quantity: number }>, lastClose: Record<string, number | undefined>, opgOpen: boolean): { orders: PlannedOrder[]; notes: string[] } {
  const orders: PlannedOrder[] = [];
  const notes: string[] = [];
  const whole: TimeInForce = opgOpen ? 'opg' : 'day';
  if (action === 'BUY') {
    for (const [signalSymbol, dollars] of Object.entries(allocations)) {
      const symbol = TRADED_AS[signalSymbol] ?? signalSymbol;
      const close = lastClose[signalSymbol] ?? lastClose[symbol];
      if (!close) {
        notes.push(`${signalSymbol}: no last close to size the order; not bought`);
        continue;
      }
      const shares = Math.floor(dollars / close);
      if (shares >= 1) orders.push({ whole: true, symbol, signalSymbol, side: 'buy', timeInForce: whole, qty: shares });
      const rest = Math.floor((dollars - shares * close) * 100) / 100;
      if (rest >= 1) orders.push({ whole: false, symbol, signalSymbol, side: 'buy', timeInForce: 'day', notional: rest });
      if (symbol !== signalSymbol) notes.push(`${signalSymbol} trades through ${symbol}`);
    }
  } else if (action === 'SELL') {
    for (const [signalSymbol, h] of holdings) {
      const symbol = TRADED_AS[signalSymbol] ?? signalSymbol;
      const qty = sellPct >= 1 ? h.quantity : floorQty(h.quantity * sellPct);
      const shares = Math.floor(qty);
      if (shares >= 1) orders.push({ whole: true, symbol, signalSymbol, side: 'sell', timeInForce: whole, qty: shares });
      const frac = floorQty(qty - shares);
      if (frac > 0) orders.push({ whole: false, symbol, signalSymbol, side: 'sell', timeInForce: 'day', qty: frac });
    }
  }
  return { orders, notes };
}

export interface PlaceReport {
  portfolio: string;
  date: IsoDate;
  placed: Array<{ clientOrderId: string; symbol: string; side: string; timeInForce: string; qty: number | null; notional: number | null; status: string }>;
  waiting: string[];
  refused: Array<{ clientOrderId: string; symbol: string; reason: string }>;
  notes: string[];
  skipped: string | null;
}

/** The day's stored list of order ids for a portfolio (a small document, `_id` lookup). */
async function dayOrders(portfolio: string, date: IsoDate): Promise<string[]> {
  return ((await BrokerState.findById(`orders|${portfolio}|${date}`).lean())?.value as string[] | undefined) ?? [];
}

/**
 * Place (or adopt) each planned order once: the client id is claimed by unique insert, looked up at the broker
 * before any create, created once; a duplicate-id refusal means "already placed" (adopted); a refusal is posted
 * once to ops and changes nothing in the ledger. `phase`: 'open' places the whole-share orders (opg before 09:28),
 * 'day' the ones for after the open.
 */
export async function placeOrders(env: Env, portfolio: string, date: IsoDate, now: Date, phase: 'open' | 'day', broker = brokerFor(env)): Promise<PlaceReport> {
  await checkLiveSwitch(env);
  const report: PlaceReport = { portfolio, date, placed: [], waiting: [], refused: [], notes: [], skipped: null };
  const signal = await Signal.findOne({ portfolio, tradeDate: date }).lean();
  if (!signal) {
    report.skipped = `no signal for ${date} (generate-signal runs at 06:00)`;
    return report;
  }
  const pause = await pauseState(portfolio);
  if (pause.paused) {
    report.skipped = `trading is paused (${pause.changedBy}${pause.reason ? `: ${pause.reason}` : ''})`;
    return report;
  }
  // The day's capital arrives as in the ledger (unique per portfolio and date: a re-run adds nothing).
  const config = await getActiveConfig(portfolio);
  await CapitalInjection.create({ portfolio, date, amount: config.params.daily_capital, createdAt: now }).catch((err: unknown) => {
    if (!isDuplicateKey(err)) throw err;
  });
  const before = await ledgerBefore(portfolio, date);
  const allocations = signal.allocations as Record<string, number>;
  const features = signal.features as SignalResult['features_used'];
  const symbols = [...new Set([...Object.keys(allocations), ...before.holdings.keys()])];
  const closes = await lastCloses(symbols, DateTime.fromISO(date).minus({ days: 1 }).toISODate()!);
  const plan = planOrders(signal.action, allocations, features.sell_pct ?? 0, before.holdings, closes, inOpgWindow(now, date));
  report.notes.push(...plan.notes);
  const afterOpen = DateTime.fromJSDate(now, { zone: ZONE }).toISODate()! > date || (DateTime.fromJSDate(now, { zone: ZONE }).toISODate() === date && nyTime(now) >= '09:30');
  for (const o of plan.orders) {
    if (o.whole) {
      // Whole shares go once: market-on-open when planned before 09:28; a later run (a worker back late) sends
      // them as a day order, unless the market-on-open one was placed (or refused) already.
      if (o.timeInForce === 'day' && await BrokerOrder.exists({ _id: clientOrderId(portfolio, date, o.symbol, o.side, 'opg') })) continue;
      if (phase === 'day' && o.timeInForce === 'opg') continue;
    } else {
      if (phase === 'open' && !afterOpen) {
        report.waiting.push(`${o.side} ${o.symbol} ${o.notional !== undefined ? `$${o.notional.toFixed(2)}` : o.qty} (a fractional day order: placed after the open)`);
        continue;
      }
    }
    const id = clientOrderId(portfolio, date, o.symbol, o.side, o.timeInForce);
    const req: OrderRequest = { clientOrderId: id, symbol: o.symbol, side: o.side, timeInForce: o.timeInForce, ...(o.qty !== undefined ? { qty: o.qty } : { notional: o.notional }) };
    const r = await placeOne(broker, req, { portfolio, date, signalId: signal._id, signalSymbol: o.signalSymbol }, now);
    if (r.refused) {
      report.refused.push({ clientOrderId: id, symbol: o.symbol, reason: r.refused });
      continue;
    }
    report.placed.push({ clientOrderId: id, symbol: o.symbol, side: o.side, timeInForce: o.timeInForce, qty: o.qty ?? null, notional: o.notional ?? null, status: r.status ?? 'placing' });
  }
  if (report.placed.length || report.refused.length) {
    // Read, merged and written back: two workers placing at once take turns (neither's ids is lost).
    await oneWriterAtATime('broker-orders', `${portfolio}|${date}`, async () => {
      const ids = [...new Set([...(await dayOrders(portfolio, date)), ...report.placed.map((p) => p.clientOrderId), ...report.refused.map((p) => p.clientOrderId)])];
      await BrokerState.replaceOne({ _id: `orders|${portfolio}|${date}` }, { _id: `orders|${portfolio}|${date}`, value: ids, at: now }, { upsert: true });
    });
  }
  return report;
}

async function placeOne(broker: Broker, req: OrderRequest, ctx: { portfolio: string; date: IsoDate; signalId: Types.ObjectId; signalSymbol: string }, now: Date): Promise<{ status?: string; refused?: string }> {
  const id = req.clientOrderId;
  try {
    await BrokerOrder.create({
      _id: id, portfolio: ctx.portfolio, date: ctx.date, symbol: req.symbol, signalSymbol: ctx.signalSymbol === req.symbol ? null : ctx.signalSymbol, side: req.side, timeInForce: req.timeInForce,
      qty: req.qty ?? null, notional: req.notional ?? null, signalId: ctx.signalId, state: 'placing', claimedBy: HOLDER_ID, createdAt: now, updatedAt: now,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const doc = await BrokerOrder.findById(id).lean();
    if (!doc) throw err;
    if (doc.state === 'refused') return { refused: (doc.refusal as { message?: string } | null)?.message ?? 'refused' };
    // Claimed by another process a moment ago: its order; a stale claim (the claimer died): ours to finish.
    if (doc.state !== 'placing' || Date.now() - doc.updatedAt.getTime() < STALE_CLAIM_MS) return { status: doc.status ?? doc.state };
  }
  // Before any create: is it there already (a create that timed out, a worker killed after placing)?
  const existing = await broker.orderByClientId(id);
  if (existing) return adopt(id, existing);
  let result: Awaited<ReturnType<Broker['placeOrder']>>;
  try {
    result = await broker.placeOrder(req);
  } catch (err) {
    // A timeout or a 5xx: the order may exist. Look, never re-POST blindly.
    const found = await broker.orderByClientId(id).catch(() => null);
    if (found) return adopt(id, found);
    await BrokerOrder.updateOne({ _id: id }, { $set: { updatedAt: new Date(0) } }); // stale at once: the next run retries
    throw err;
  }
  if ('order' in result) return adopt(id, result.order);
  if (result.refused.kind === 'duplicate') {
    const found = await broker.orderByClientId(id);
    if (found) return adopt(id, found);
  }
  await BrokerOrder.updateOne({ _id: id }, { $set: { state: 'refused', refusal: result.refused, updatedAt: new Date() } });
  await enqueuePost(`broker-refused:${id}`, {
    kind: 'ops', title: `Order refused by the broker: ${req.side} ${req.symbol} (${ctx.portfolio}, ${ctx.date})`,
    description: `${req.qty !== undefined ? `${req.qty} share(s)` : `$${req.notional?.toFixed(2)}`} ${req.timeInForce === 'opg' ? 'market-on-open' : 'market, day'} · client order id ${id}\nThe broker said: ${result.refused.message} (${result.refused.kind})\nNothing was recorded in the ledger for this order.`,
    urgent: true,
  });
  return { refused: result.refused.message };
}

async function adopt(id: string, o: Order): Promise<{ status: string }> {
  await BrokerOrder.updateOne({ _id: id }, { $set: { state: (TERMINAL as readonly string[]).includes(o.status) ? 'done' : 'placed', brokerOrderId: o.id, status: o.status, filledQty: o.filledQty, filledAvgPrice: o.filledAvgPrice, updatedAt: new Date() } });
  return { status: o.status };
}

export interface FollowReport {
  portfolio: string;
  date: IsoDate;
  orders: Array<{ clientOrderId: string; symbol: string; side: string; status: string; filledQty: number }>;
  newFills: number;
  trades: Array<{ symbol: string; action: string; quantity: number; price: number; fillId: string }>;
  rejected: string[];
  allDone: boolean;
}

/**
 * Follow the day's orders to their end: each order's status from the broker, the day's executions (account
 * activities FILL) recorded as trades at the broker's price, time and quantity — once per execution id, however
 * often this runs and in whichever process — and an asynchronous rejection posted once.
 */
export async function followOrders(env: Env, portfolio: string, date: IsoDate, now: Date, broker = brokerFor(env)): Promise<FollowReport> {
  const ids = await dayOrders(portfolio, date);
  const docs = (await Promise.all(ids.map((id) => BrokerOrder.findById(id).lean()))).filter((d) => d !== null);
  const report: FollowReport = { portfolio, date, orders: [], newFills: 0, trades: [], rejected: [], allDone: true };
  // Each order's broker id as known after this pass (an order adopted now gets its id here, not by reading it back).
  const brokerIds = new Map(docs.flatMap((d) => (d.brokerOrderId ? [[d._id, d.brokerOrderId] as [string, string]] : [])));
  for (const d of docs) {
    if (d.state === 'refused') continue;
    let status = d.status ?? 'placing';
    if (d.state !== 'done') {
      const o = await broker.orderByClientId(d._id);
      if (o) {
        await adopt(d._id, o);
        brokerIds.set(d._id, o.id);
        status = o.status;
        if (o.status === 'rejected') {
          report.rejected.push(d._id);
          await enqueuePost(`broker-rejected:${d._id}`, {
            kind: 'ops', title: `Order rejected by the broker: ${d.side} ${d.symbol} (${portfolio}, ${date})`,
            description: `client order id ${d._id} · broker order ${o.id}\nThe broker rejected it after accepting it; nothing was recorded in the ledger for this order.`, urgent: true,
          });
        }
      }
      if (!o || !(TERMINAL as readonly string[]).includes(status)) report.allDone = false;
    }
    report.orders.push({ clientOrderId: d._id, symbol: d.symbol, side: d.side, status, filledQty: d.filledQty });
  }
  const byBrokerId = new Map(docs.flatMap((d) => (brokerIds.has(d._id) ? [[brokerIds.get(d._id)!, d] as [string, (typeof docs)[number]]] : [])));
  if (byBrokerId.size === 0) return report;
  const fills = (await broker.fills(date)).filter((f) => byBrokerId.has(f.orderId)).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  // The day's trades, read once: which executions are recorded, and the fills before the new ones.
  const today = await Trade.find({ portfolio, tradeDate: date }).sort({ createdAt: 1 }).lean();
  const recorded = new Set(today.flatMap((t) => (t.fillId ? [t.fillId] : [])));
  const fresh = fills.filter((f) => !recorded.has(f.id));
  if (fresh.length === 0) return report;
  // Realised P&L against the average cost at the time of each fill: the ledger through the day's earlier fills.
  const state = cloneState(await ledgerBefore(portfolio, date));
  for (const t of today) applyFill(state, { symbol: t.symbol, action: t.action, quantity: t.quantity, price: t.price, amount: t.amount, realizedPnl: t.realizedPnl ?? 0 });
  for (const f of fresh) {
    const order = byBrokerId.get(f.orderId)!;
    const symbol = order.signalSymbol ?? f.symbol;
    const avg = state.holdings.get(symbol)?.avgCost ?? f.price;
    const fill: Fill = { symbol, action: f.side === 'buy' ? 'BUY' : 'SELL', quantity: f.qty, price: f.price, amount: f.qty * f.price, realizedPnl: f.side === 'sell' ? f.qty * (f.price - avg) : 0 };
    try {
      await Trade.create({ portfolio, signalId: order.signalId, tradeDate: date, symbol, action: fill.action, quantity: fill.quantity, price: fill.price, amount: fill.amount, realizedPnl: fill.realizedPnl, fillId: f.id, clientOrderId: order._id, createdAt: new Date(f.at) });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      continue; // another process recorded this execution
    }
    try {
      applyFill(state, fill);
    } catch (err) {
      report.rejected.push(`${f.id}: ${describeError(err)}`);
    }
    report.newFills++;
    report.trades.push({ symbol, action: fill.action, quantity: fill.quantity, price: fill.price, fillId: f.id });
  }
  await syncPositions(portfolio, state);
  return report;
}

/** Portfolios whose active configuration trades through a broker. */
export async function brokerPortfolios(portfolios: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of portfolios) if ((await getActiveConfig(p)).params.broker === 'alpaca') out.push(p);
  return out;
}

export function isBrokerError(err: unknown): boolean {
  return err instanceof ProviderError && err.provider === 'alpaca-trading';
}
