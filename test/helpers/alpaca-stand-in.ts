import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of Alpaca's Trading API v2 (paper), built from its documentation and the error bodies in
 * ../shared/research/alpaca-trading.md (each rule there cites its source): key headers, account, positions, assets,
 * orders (create with the documented validations, by id, by client order id, list), account activities FILL.
 * Fills happen when a test says so (`fill`), in parts if it likes; faults on demand (a create that answers after
 * the client gave up, 5xx, 429 with its headers). Only the network edge is fake: our real client talks to it.
 */
export interface StandInOrder {
  id: string; client_order_id: string; symbol: string; side: 'buy' | 'sell'; type: string; time_in_force: string; qty: string | null; notional: string | null;
  filled_qty: string; filled_avg_price: string | null; status: string; created_at: string; updated_at: string; submitted_at: string; filled_at: string | null;
  expired_at: string | null; canceled_at: string | null; failed_at: string | null; asset_class: 'us_equity'; order_class: ''; extended_hours: false;
}
interface Activity { id: string; activity_type: 'FILL'; type: 'fill' | 'partial_fill'; order_id: string; symbol: string; side: string; qty: string; price: string; cum_qty: string; leaves_qty: string; order_status: string; transaction_time: string }

export const STAND_IN_KEYS = { id: 'PKSTANDIN0123456789', secret: 'standin-secret-0123456789abcdef' };

export class AlpacaStandIn {
  url = '';
  readonly orders: StandInOrder[] = [];
  readonly activities: Activity[] = [];
  readonly requests: Array<{ method: string; path: string; body: unknown }> = [];
  positions = new Map<string, { qty: number; cost: number }>();
  cash = 100_000;
  /** The stand-in's clock (New York rules use it): set by tests. */
  now = new Date('2026-03-10T13:15:00Z');
  assets = new Map<string, { tradable: boolean; fractionable: boolean }>([['SPY', { tradable: true, fractionable: true }], ['QQQ', { tradable: true, fractionable: true }], ['DIA', { tradable: true, fractionable: true }], ['BRKX', { tradable: false, fractionable: false }]]);
  /** Faults: the next N creates answer 503 before creating; the next create is made, then answered after `delayMs`. */
  faults = { create503: 0, createThenDelayMs: 0, rateLimited: 0 };
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => void this.handle(req.method ?? 'GET', req.url ?? '/', req.headers, raw, res));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private nyClock(): string {
    return this.now.toLocaleTimeString('en-GB', { timeZone: 'America/New_York', hour12: false }).slice(0, 5);
  }

  private async handle(method: string, rawUrl: string, headers: Record<string, string | string[] | undefined>, raw: string, res: import('node:http').ServerResponse): Promise<void> {
    const url = new URL(rawUrl, 'http://x');
    let body: unknown = null;
    const send = (status: number, json?: unknown, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': randomUUID(), 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '199', ...extra });
      res.end(json === undefined ? '' : JSON.stringify(json));
    };
    if (headers['apca-api-key-id'] !== STAND_IN_KEYS.id || headers['apca-api-secret-key'] !== STAND_IN_KEYS.secret) return send(401, { message: 'unauthorized.' });
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return send(400, { code: 40010000, message: 'request body format is invalid' });
      }
    }
    this.requests.push({ method, path: url.pathname, body });
    if (this.faults.rateLimited > 0) {
      this.faults.rateLimited--;
      return send(429, { code: 42910000, message: 'rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1), 'retry-after': '1' });
    }
    const p = url.pathname;
    if (method === 'GET' && p === '/v2/account') {
      const long = [...this.positions].reduce((s, [, x]) => s + x.qty * x.cost, 0);
      return send(200, { id: 'standin-account', status: 'ACTIVE', currency: 'USD', cash: String(this.cash), equity: String(this.cash + long), buying_power: String(this.cash * 4), trading_blocked: false, account_blocked: false, multiplier: '4', pattern_day_trader: null });
    }
    if (method === 'GET' && p === '/v2/positions') {
      return send(200, [...this.positions].filter(([, x]) => x.qty > 0).map(([symbol, x]) => ({ symbol, qty: String(x.qty), avg_entry_price: String(x.cost), side: 'long', asset_class: 'us_equity' })));
    }
    if (method === 'GET' && p.startsWith('/v2/assets/')) {
      const symbol = decodeURIComponent(p.slice('/v2/assets/'.length));
      const a = this.assets.get(symbol);
      if (!a) return send(404, { code: 40410000, message: `asset not found for ${symbol}` });
      return send(200, { id: randomUUID(), class: 'us_equity', exchange: 'ARCA', symbol, name: symbol, status: 'active', tradable: a.tradable, marginable: true, shortable: true, easy_to_borrow: true, fractionable: a.fractionable });
    }
    if (method === 'GET' && p === '/v2/orders:by_client_order_id') {
      const o = this.orders.find((x) => x.client_order_id === url.searchParams.get('client_order_id'));
      return o ? send(200, o) : send(404, { code: 40410000, message: 'order not found' });
    }
    if (method === 'GET' && p === '/v2/orders') {
      const after = url.searchParams.get('after');
      return send(200, this.orders.filter((o) => !after || o.submitted_at > after));
    }
    if (method === 'GET' && p === '/v2/account/activities/FILL') {
      const date = url.searchParams.get('date');
      const ny = (iso: string) => new Date(iso).toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
      return send(200, this.activities.filter((a) => !date || ny(a.transaction_time) === date));
    }
    if (method === 'POST' && p === '/v2/orders') return this.create(body as Record<string, unknown>, send);
    return send(404, { code: 40410000, message: 'not found' });
  }

  private async create(b: Record<string, unknown>, send: (status: number, json?: unknown, extra?: Record<string, string>) => void): Promise<void> {
    if (this.faults.create503 > 0) {
      this.faults.create503--;
      return send(503, { message: 'service unavailable' });
    }
    const hasQty = b.qty !== undefined && b.qty !== null;
    const hasNotional = b.notional !== undefined && b.notional !== null;
    if (hasQty && hasNotional) return send(422, { code: 40010001, message: 'only one of qty or notional is accepted' });
    if (!hasQty && !hasNotional) return send(422, { code: 40010001, message: 'qty or notional is required' });
    const cid = String(b.client_order_id ?? randomUUID());
    if (cid.length > 128) return send(422, { code: 40010001, message: 'client_order_id must be no more than 128 characters' });
    if (this.orders.some((o) => o.client_order_id === cid)) return send(422, { code: 40010001, message: 'client_order_id must be unique' });
    const symbol = String(b.symbol);
    const asset = this.assets.get(symbol);
    if (!asset) return send(422, { code: 42210000, message: `asset "${symbol}" not found` });
    if (!asset.tradable) return send(422, { code: 42210000, message: `asset "${symbol}" is not tradable` });
    const tif = String(b.time_in_force);
    const t = this.nyClock();
    if (tif === 'opg' && !(t >= '19:00' || t < '09:28')) return send(403, { code: 40310000, message: 'opg orders must be submitted after 7:00pm and before 9:28am' });
    const qty = hasQty ? Number(b.qty) : null;
    const notional = hasNotional ? Number(b.notional) : null;
    if (notional !== null) {
      if (tif !== 'day') return send(422, { code: 42210000, message: 'notional orders must be DAY orders' });
      if (!/^\d+(\.\d{1,2})?$/.test(String(b.notional))) return send(422, { code: 42210000, message: 'notional amount must be limited to 2 decimal places' });
      if (notional < 1) return send(403, { code: 40310000, message: 'cost basis must be >= minimal amount of order 1' });
    }
    const fractional = qty !== null && !Number.isInteger(qty);
    if ((fractional || notional !== null) && !asset.fractionable) return send(422, { code: 42210000, message: 'requested asset is not fractionable' });
    if (fractional && tif !== 'day') return send(422, { code: 42210000, message: 'fractional orders must be DAY orders' });
    const side = b.side === 'sell' ? 'sell' : 'buy';
    // Wash-trade protection: an opposite-side market order resting on the symbol.
    const opposite = this.orders.find((o) => o.symbol === symbol && o.side !== side && ['accepted', 'new', 'partially_filled', 'pending_new'].includes(o.status));
    if (opposite) return send(403, { code: 40310000, message: 'potential wash trade detected. use complex orders', existing_order_id: opposite.id, reject_reason: 'opposite side market/stop order exists' });
    if (side === 'sell') {
      const held = this.positions.get(symbol)?.qty ?? 0;
      const open = this.orders.filter((o) => o.symbol === symbol && o.side === 'sell' && !['filled', 'canceled', 'expired', 'rejected'].includes(o.status)).reduce((s, o) => s + Number(o.qty ?? 0) - Number(o.filled_qty), 0);
      if ((qty ?? 0) > held - open + 1e-9) return send(403, { available: String(held - open), code: 40310000, existing_qty: String(held), held_for_orders: String(open), message: `insufficient qty available for order (requested: ${qty}, available: ${held - open})`, related_orders: [], symbol });
    } else {
      const cost = notional ?? (qty ?? 0) * 100 * 1.03;
      if (cost > this.cash * 4) return send(403, { buying_power: String(this.cash * 4), code: 40310000, cost_basis: String(cost), message: 'insufficient buying power' });
    }
    const at = this.now.toISOString();
    const o: StandInOrder = {
      id: randomUUID(), client_order_id: cid, symbol, side, type: 'market', time_in_force: tif, qty: qty === null ? null : String(qty), notional: notional === null ? null : String(notional),
      filled_qty: '0', filled_avg_price: null, status: 'accepted', created_at: at, updated_at: at, submitted_at: at, filled_at: null, expired_at: null, canceled_at: null, failed_at: null,
      asset_class: 'us_equity', order_class: '', extended_hours: false,
    };
    this.orders.push(o);
    if (this.faults.createThenDelayMs > 0) {
      const ms = this.faults.createThenDelayMs;
      this.faults.createThenDelayMs = 0;
      await new Promise((r) => setTimeout(r, ms));
    }
    send(200, o);
  }

  /** Fill an order in parts (each a { qty, price } execution at the stand-in's clock); the last part completes it. */
  fill(clientOrderId: string, parts: Array<{ qty: number; price: number }>, at = this.now): void {
    const o = this.orders.find((x) => x.client_order_id === clientOrderId);
    if (!o) throw new Error(`no order ${clientOrderId}`);
    let cum = Number(o.filled_qty);
    let value = cum * Number(o.filled_avg_price ?? 0);
    const total = o.qty !== null ? Number(o.qty) : cum + parts.reduce((s, x) => s + x.qty, 0);
    parts.forEach((part, i) => {
      cum += part.qty;
      value += part.qty * part.price;
      const done = cum >= total - 1e-9;
      const t = new Date(at.getTime() + i * 1000);
      const stamp = t.toLocaleString('sv-SE', { timeZone: 'America/New_York' }).replace(/[- :]/g, '');
      this.activities.push({
        id: `${stamp}${String(t.getMilliseconds()).padStart(3, '0')}::${randomUUID()}`, activity_type: 'FILL', type: done ? 'fill' : 'partial_fill', order_id: o.id, symbol: o.symbol, side: o.side,
        qty: String(part.qty), price: String(part.price), cum_qty: String(cum), leaves_qty: String(Math.max(0, total - cum)), order_status: done ? 'filled' : 'partially_filled', transaction_time: t.toISOString(),
      });
      const pos = this.positions.get(o.symbol) ?? { qty: 0, cost: 0 };
      if (o.side === 'buy') {
        pos.cost = (pos.qty * pos.cost + part.qty * part.price) / (pos.qty + part.qty);
        pos.qty += part.qty;
        this.cash -= part.qty * part.price;
      } else {
        pos.qty -= part.qty;
        this.cash += part.qty * part.price;
      }
      this.positions.set(o.symbol, pos);
      o.filled_qty = String(cum);
      o.filled_avg_price = String(value / cum);
      o.status = done ? 'filled' : 'partially_filled';
      o.updated_at = t.toISOString();
      if (done) o.filled_at = t.toISOString();
    });
  }

  /** The broker changes its mind after accepting (an asynchronous rejection). */
  reject(clientOrderId: string): void {
    const o = this.orders.find((x) => x.client_order_id === clientOrderId)!;
    o.status = 'rejected';
    o.failed_at = this.now.toISOString();
  }

  /** An order placed by someone else on the account (the reconciliation must see it). */
  foreignOrder(symbol: string, qty: number): StandInOrder {
    const at = this.now.toISOString();
    const o: StandInOrder = { id: randomUUID(), client_order_id: randomUUID(), symbol, side: 'buy', type: 'market', time_in_force: 'day', qty: String(qty), notional: null, filled_qty: '0', filled_avg_price: null, status: 'new', created_at: at, updated_at: at, submitted_at: at, filled_at: null, expired_at: null, canceled_at: null, failed_at: null, asset_class: 'us_equity', order_class: '', extended_hours: false };
    this.orders.push(o);
    return o;
  }
}
