// The soak's market-data provider: the demo market served over Polygon's HTTP API, day by day on the soak's
// clock, so the workers fetch through the real Polygon client (rate gate, retries, breaker, error classification)
// and the soak can make the provider answer 503 and 429 for a stretch. The three endpoints the product calls, in the
// shapes of test/fixtures/providers (each cites Polygon's documentation): grouped daily, per-ticker aggregates,
// the full-market snapshot. A date's bars appear only after its close (15 minutes after, as Polygon's daily
// aggregates do), stamped at midnight New York as Polygon stamps daily bars; the 429 body is Polygon's documented
// error envelope (test/fixtures/providers/polygon-429.json).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { todayIn, type IsoDate } from '../src/calendar/dates.js';
import { isTradingDay, previousTradingDay, sessionClose } from '../src/calendar/nyse.js';
import { DemoProvider } from '../src/market-data/demo-provider.js';
import { INDEX_PROXIES } from '../src/market-data/index-symbols.js';
import { slotInstant } from '../src/market-data/snapshot-store.js';
import { coveredSymbols } from '../src/market-data/universe.js';

const READY_AFTER_CLOSE_MS = 15 * 60_000;
const THROTTLED = (id: string) => ({ status: 'ERROR', request_id: id, error: "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing" });

export class DemoPolygon {
  url = '';
  readonly apiKey = 'soak-polygon-key-0123456789';
  /** Answer the next N requests with 503, then the next M with 429 (Retry-After 2). */
  fault = { n503: 0, n429: 0 };
  readonly served = { ok: 0, s503: 0, s429: 0 };
  private readonly demo = new DemoProvider();
  private server: Server | undefined;

  constructor(private readonly simNow: () => number) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => this.send(res, 500, { status: 'ERROR', error: String(err) }));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  /** The dates whose daily bar exists at the soak's now. */
  private closedBy(date: IsoDate): boolean {
    return sessionClose(date).getTime() + READY_AFTER_CLOSE_MS <= this.simNow();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${this.apiKey}` && url.searchParams.get('apiKey') !== this.apiKey && !url.pathname.startsWith('/v1beta3/crypto/')) {
      return this.send(res, 401, { status: 'ERROR', request_id: randomUUID(), error: 'Unknown API Key' });
    }
    if (this.fault.n503 > 0) {
      this.fault.n503--;
      this.served.s503++;
      return this.send(res, 503, 'Service Unavailable');
    }
    if (this.fault.n429 > 0) {
      this.fault.n429--;
      this.served.s429++;
      return this.send(res, 429, THROTTLED(randomUUID()), { 'retry-after': '2' });
    }
    this.served.ok++;
    const id = randomUUID();
    let m = /^\/v2\/aggs\/grouped\/locale\/us\/market\/stocks\/(\d{4}-\d{2}-\d{2})$/.exec(url.pathname);
    if (m) {
      const date = m[1] as IsoDate;
      if (!isTradingDay(date) || !this.closedBy(date)) return this.send(res, 200, { queryCount: 0, resultsCount: 0, adjusted: true, status: 'OK', request_id: id });
      const symbols = [...coveredSymbols()].filter((s) => !Object.hasOwn(INDEX_PROXIES, s));
      const bars = await this.demo.getDailyBars(symbols, date, date);
      const results = bars.map((b) => ({ T: b.symbol, o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, t: slotInstant(date, '00:00').getTime() }));
      return this.send(res, 200, { queryCount: results.length, resultsCount: results.length, adjusted: true, status: 'OK', request_id: id, results });
    }
    m = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/1\/day\/(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})$/.exec(url.pathname);
    if (m) {
      const ticker = decodeURIComponent(m[1]!);
      const symbol = ticker.startsWith('I:') ? ticker.slice(2) : ticker;
      const bars = (await this.demo.getDailyBars([symbol], m[2] as IsoDate, m[3] as IsoDate)).filter((b) => this.closedBy(b.date));
      const results = bars.map((b) => ({ o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, t: slotInstant(b.date, '00:00').getTime() }));
      return this.send(res, 200, { ticker, queryCount: results.length, resultsCount: results.length, adjusted: true, status: 'OK', request_id: id, results });
    }
    if (url.pathname === '/v2/snapshot/locale/us/markets/stocks/tickers') {
      const tickers = (url.searchParams.get('tickers') ?? '').split(',').filter(Boolean);
      // Outside a session the snapshot holds the last session's day (Polygon clears it early the next morning).
      const today = todayIn('America/New_York', new Date(this.simNow()));
      const at = isTradingDay(today) ? new Date(this.simNow()) : sessionClose(previousTradingDay(today));
      // The stocks snapshot has no index: SPY stands for SPX there, as the product asks it.
      const ours = tickers.map((t) => (t === INDEX_PROXIES.SPX ? 'SPX' : t));
      const batch = await this.demo.getSnapshot(ours, at);
      const rows = batch.rows.map((r) => ({
        ticker: r.symbol === 'SPX' ? INDEX_PROXIES.SPX : r.symbol,
        day: { o: r.open, h: r.high, l: r.low, c: r.last, v: r.volume },
        prevDay: { c: r.prevClose },
        lastTrade: { p: r.last, t: r.lastTradeAt * 1e6 },
        min: { c: r.last, t: r.lastTradeAt, av: r.volume },
        updated: r.lastTradeAt * 1e6,
      }));
      return this.send(res, 200, { status: 'OK', count: rows.length, tickers: rows, request_id: id });
    }
    // What the world jobs ask beside the stocks (the same server stands in for Alpaca's crypto bars): the demo has
    // no forex or crypto, so the answers are the documented empty ones; a company is named as synthetic.
    if (/^\/v2\/aggs\/grouped\/locale\/global\/market\/fx\//.test(url.pathname)) return this.send(res, 200, { queryCount: 0, resultsCount: 0, adjusted: true, status: 'OK', request_id: id });
    if (url.pathname === '/v1beta3/crypto/us/bars') return this.send(res, 200, { bars: {}, next_page_token: null });
    m = /^\/v3\/reference\/tickers\/([^/]+)$/.exec(url.pathname);
    if (m) return this.send(res, 200, { status: 'OK', request_id: id, results: { ticker: decodeURIComponent(m[1]!), name: `${decodeURIComponent(m[1]!)} (synthetic, soak)`, market: 'stocks', active: true } });
    return this.send(res, 404, { status: 'NOT_FOUND', request_id: id, message: 'Data not found.' });
  }
}
