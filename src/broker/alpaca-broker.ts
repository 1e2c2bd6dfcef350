import { z } from 'zod';
import type { IsoDate } from '../calendar/dates.js';
import { ProviderHttp, type ProviderHttpOptions } from '../market-data/http/provider-http.js';
import { ProviderError } from '../market-data/provider.js';
import type { Broker, BrokerAccount, BrokerFill, BrokerOrder, BrokerPosition, OrderRequest, Refusal } from './contracts.js';
import { alpacaAccount, alpacaAsset, alpacaFillActivity, alpacaOrder, alpacaPosition, classifyRefusal, toAccount, toFill, toOrder, toPosition } from './alpaca-parsers.js';

export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';
export const ALPACA_LIVE_URL = 'https://api.alpaca.markets';

export type HttpCommon = Omit<ProviderHttpOptions, 'provider' | 'baseUrl' | 'limits' | 'headers' | 'planHint'>;

/**
 * Alpaca's Trading API through the market-data providers' HTTP client (token bucket at 200 a minute shared by
 * every process, breaker, timeout, retries for reads). Keys go in headers only. A create is sent once: on a
 * timeout or a 5xx the order may exist, so the caller looks its client id up before anything else.
 */
export class AlpacaBroker implements Broker {
  readonly id = 'alpaca' as const;
  private readonly http: ProviderHttp;
  constructor(opts: HttpCommon & { baseUrl: string; keyId: string; secretKey: string; perMinute: number }) {
    const { keyId, secretKey, perMinute, ...rest } = opts;
    this.http = new ProviderHttp({
      ...rest, provider: 'alpaca-trading', limits: { perMinute, perDay: null }, planHint: 'the keys are not allowed to trade on this account',
      headers: { 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': secretKey },
    });
  }

  async account(): Promise<BrokerAccount> {
    return toAccount(await this.http.getJson('account', '/v2/account', {}, alpacaAccount));
  }

  async positions(): Promise<BrokerPosition[]> {
    return (await this.http.getJson('positions', '/v2/positions', {}, z.array(alpacaPosition))).map(toPosition);
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    const r = await this.http.request({ method: 'GET', endpoint: 'order', path: '/v2/orders:by_client_order_id', params: { client_order_id: clientOrderId }, accept: [404] });
    if (r.status === 404) return null;
    return toOrder(alpacaOrder.parse(r.body));
  }

  async placeOrder(req: OrderRequest): Promise<{ order: BrokerOrder } | { refused: Refusal }> {
    const body = {
      symbol: req.symbol, side: req.side, type: 'market', time_in_force: req.timeInForce, client_order_id: req.clientOrderId,
      ...(req.notional !== undefined ? { notional: req.notional.toFixed(2) } : { qty: String(req.qty) }),
    };
    const r = await this.http.request({ method: 'POST', endpoint: 'orders', path: '/v2/orders', body, accept: [401, 403, 404, 422], retry: false });
    if (r.status >= 200 && r.status < 300) return { order: toOrder(alpacaOrder.parse(r.body)) };
    return { refused: classifyRefusal(r.status, r.body) };
  }

  async fills(date: IsoDate): Promise<BrokerFill[]> {
    const out: BrokerFill[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 50; page++) {
      const rows = await this.http.getJson('activities', '/v2/account/activities/FILL', { date, direction: 'asc', page_size: 100, ...(pageToken ? { page_token: pageToken } : {}) }, z.array(alpacaFillActivity));
      out.push(...rows.map(toFill));
      if (rows.length < 100) break;
      pageToken = rows.at(-1)!.id;
    }
    return out;
  }

  async orders(after: Date): Promise<BrokerOrder[]> {
    const rows = await this.http.getJson('orders', '/v2/orders', { status: 'all', after: after.toISOString(), limit: 500, direction: 'asc' }, z.array(alpacaOrder));
    return rows.map(toOrder);
  }

  async asset(symbol: string): Promise<{ tradable: boolean; fractionable: boolean } | null> {
    const r = await this.http.request({ method: 'GET', endpoint: 'asset', path: `/v2/assets/${encodeURIComponent(symbol)}`, accept: [404] });
    if (r.status === 404) return null;
    const a = alpacaAsset.parse(r.body);
    return { tradable: a.tradable && a.status === 'active', fractionable: a.fractionable };
  }
}

/** The trading endpoint: paper unless ALPACA_LIVE=yes says otherwise, and the live host only then. */
export function tradingUrl(env: { ALPACA_TRADING_URL: string; ALPACA_LIVE: string }): string {
  const url = new URL(env.ALPACA_TRADING_URL);
  if (url.hostname === new URL(ALPACA_LIVE_URL).hostname && env.ALPACA_LIVE !== 'yes') {
    throw new ProviderError('alpaca-trading', 'config', 'ALPACA_TRADING_URL is the live endpoint but ALPACA_LIVE is not "yes": refusing to trade real money', false, 'plan');
  }
  return env.ALPACA_TRADING_URL;
}
