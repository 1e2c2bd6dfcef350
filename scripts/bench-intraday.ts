// `npm run bench -- --intraday`: one 15-minute market-hours slot for the 529-symbol universe — the snapshot
// (one request to a local replay of Polygon's full-market snapshot, built from the demo's 13:00 path), the
// 13:00 afternoon-scan on the day so far, 10,000 members' watch rules and 5 portfolios' position alerts.
// Figures, never a timed test. Target (#21): the slot ≤ 2,000 ms on the project's 2-core machine.
import mongoose from 'mongoose';
import { Types } from 'mongoose';
import { runNamedScan } from '../src/analysis/scan-service.js';
import { evaluateWatchIntraday } from '../src/analysis/watch-day.js';
import { changeWatchlist, newRuleKey } from '../src/analysis/watchlist-store.js';
import { connectDatabase, disconnectDatabase } from '../src/db/connection.js';
import { CapitalInjection } from '../src/db/models/capital-injection.js';
import { DayClaim, IntradaySnapshot } from '../src/db/models/intraday.js';
import { Lease } from '../src/db/models/lease.js';
import { Outbox, OutboxQueue } from '../src/db/models/outbox.js';
import { ScanResult } from '../src/db/models/scan-result.js';
import { Trade } from '../src/db/models/trade.js';
import { upsertBars } from '../src/market-data/bar-store.js';
import { demoBars } from '../src/market-data/demo-market.js';
import { DemoProvider } from '../src/market-data/demo-provider.js';
import type { MarketDataProvider } from '../src/market-data/provider.js';
import { PolygonProvider } from '../src/market-data/providers/polygon.js';
import { slotInstant, snapshotFor } from '../src/market-data/snapshot-store.js';
import { loadUniverse } from '../src/market-data/universe.js';
import { createPortfolio } from '../src/strategy/config-service.js';
import { getActiveConfig } from '../src/strategy/config-versions.js';
import { checkPositionAlerts } from '../src/trading/position-alerts.js';
import { manualClock, ReplayServer } from '../test/helpers/replay-server.js';

const DAY = '2020-03-16';
const SLOT = '13:00';

function line(name: string, value: number, unit: string): void {
  process.stdout.write(`${name} ${value} ${unit}\n`);
}

/** Polygon's full-market snapshot body (its documented shape) for the universe at the slot, from the demo's path. */
async function polygonBody(symbols: string[]): Promise<unknown> {
  const demo = new DemoProvider();
  const at = slotInstant(DAY, SLOT);
  const b = await demo.getSnapshot(symbols.filter((s) => s !== 'SPX'), at);
  return {
    status: 'OK', count: b.rows.length,
    tickers: b.rows.map((r) => ({
      ticker: r.symbol, day: { o: r.open, h: r.high, l: r.low, c: r.last, v: r.volume, vw: r.last },
      lastTrade: { p: r.last, s: 100, t: r.lastTradeAt * 1e6, x: 4, i: '1' }, min: { av: r.volume, c: r.last, h: r.last, l: r.last, o: r.last, t: r.lastTradeAt, v: 1000, vw: r.last, n: 1 },
      prevDay: { o: r.prevClose, h: r.prevClose, l: r.prevClose, c: r.prevClose, v: 1, vw: r.prevClose }, todaysChange: r.last - r.prevClose, todaysChangePerc: (r.last / r.prevClose - 1) * 100, updated: r.lastTradeAt * 1e6,
    })),
  };
}

export async function benchIntraday(uri: string): Promise<void> {
  await connectDatabase(uri, `bench_intraday_${Date.now()}`);
  const symbols = loadUniverse().map((u) => u.symbol);
  // Daily bars for the universe through the previous close (what the scan and the rules append the day to).
  for (let i = 0; i < symbols.length; i += 50) {
    const group = symbols.slice(i, i + 50);
    await upsertBars(group.flatMap((s) => demoBars(s, '2019-01-02', '2020-03-13').map((b) => ({ symbol: s, ...b }))), 'demo');
  }
  // 5 portfolios with positions; 10,000 rules (400 members × 25) of the kinds a partial bar answers.
  const actor = { id: 'bench', name: 'bench', source: 'cli' as const };
  await getActiveConfig('main');
  for (const p of ['p1', 'p2', 'p3', 'p4']) await createPortfolio(p, actor);
  for (const p of ['main', 'p1', 'p2', 'p3', 'p4']) {
    await CapitalInjection.create({ portfolio: p, date: '2020-03-13', amount: 100_000, createdAt: new Date() });
    for (const s of ['SPY', 'QQQ', 'DIA', 'AAPL', 'MSFT']) {
      const price = demoBars(s, '2020-03-13', '2020-03-13')[0]!.close;
      await Trade.create({ portfolio: p, signalId: new Types.ObjectId(), tradeDate: '2020-03-13', symbol: s, action: 'BUY', quantity: 20, price, amount: 20 * price, createdAt: new Date() });
    }
  }
  const kinds = ['price-above', 'price-below', 'cross-above-sma50', 'cross-below-sma50', 'gap-up', 'gap-down', 'new-52w-high', 'move-over', 'volume-over'] as const;
  const values: Record<string, number | null> = { 'price-above': 150, 'price-below': 100, 'gap-up': 2, 'gap-down': 2, 'move-over': 3, 'volume-over': 1.5 };
  for (let m = 0; m < 400; m++) {
    const rules = Array.from({ length: 25 }, (_, s) => {
      const k = m * 25 + s;
      const kind = kinds[k % kinds.length]!;
      return { key: newRuleKey(), id: s + 1, symbol: symbols[(k * 7) % symbols.length]!, kind, value: values[kind] ?? null, createdAt: new Date().toISOString() };
    });
    await changeWatchlist(String(100000000000000000n + BigInt(m)), () => ({ rules, result: undefined }));
  }
  const now = new Date(slotInstant(DAY, SLOT).getTime() + 60_000);
  const server = new ReplayServer();
  const base = await server.start();
  server.on('GET', '/v2/snapshot/locale/us/markets/stocks/tickers', { json: await polygonBody(symbols) });
  // The provider's clock at the slot (a live provider would be asked at 13:01), so the snapshot is not "delayed".
  const polygon = new PolygonProvider({ baseUrl: base, apiKey: 'BENCHKEY123', timeoutMs: 10_000, limits: { perMinute: 600, perDay: null }, clock: manualClock(now.getTime()) });
  const demo = new DemoProvider();
  // Daily bars as the demo stored them; the snapshot over HTTP from the Polygon replay (the JSON, validation and all).
  const provider: MarketDataProvider = {
    id: 'demo', contract: demo.contract.bind(demo), getDailyBars: demo.getDailyBars.bind(demo), getGroupedDaily: demo.getGroupedDaily.bind(demo),
    getSnapshot: (s) => polygon.getSnapshot(s), snapshotsAnyTime: true,
  };
  const runs: Array<Record<string, number>> = [];
  let last: Record<string, unknown> = {};
  for (let i = 0; i < 4; i++) {
    await Promise.all([Lease.deleteMany({}), IntradaySnapshot.deleteMany({}), DayClaim.deleteMany({}), ScanResult.deleteMany({}), Outbox.deleteMany({}), OutboxQueue.deleteMany({})]);
    const t0 = performance.now();
    const snap = await snapshotFor({ date: DAY, slot: SLOT, symbols, provider, now });
    if (!snap.ok) throw new Error(snap.reason);
    const t1 = performance.now();
    const tf = performance.now();
    if (process.env.BENCH_PROFILE) {
      const { fetchMarketData } = await import('../src/market-data/fetch-service.js');
      await fetchMarketData({ date: '2020-03-13', symbols, provider });
      process.stdout.write(`# fetch alone ${Math.round(performance.now() - tf)} ms\n`);
    }
    const t1b = performance.now();
    const scan = await runNamedScan('afternoon-scan', DAY, { provider, symbols, now, force: true });
    const t2 = performance.now();
    if (process.env.BENCH_PROFILE) process.stdout.write(`# scan ${Math.round(t2 - t1b)} ms\n`);
    const watch = await evaluateWatchIntraday(snap.snapshot, now);
    const t3 = performance.now();
    const alerts = await checkPositionAlerts(snap.snapshot, now, true);
    const t4 = performance.now();
    if (i > 0) runs.push({ snapshot: t1 - t0, scan: t2 - t1, watch: t3 - t2, alerts: t4 - t3, slot: t4 - t0 });
    last = { scanned: scan.scanned, basis: scan.basis?.snapshot ?? scan.basis?.fallback, rules: watch.rules, fired: watch.fired, dms: watch.queued, alerts: alerts.alerts, positions: alerts.positions };
  }
  const median = (k: string) => Math.round([...runs.map((r) => r[k]!)].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!);
  line('intraday_slot_ms', median('slot'), 'ms');
  line('intraday_snapshot_ms', median('snapshot'), 'ms');
  line('intraday_scan_ms', median('scan'), 'ms');
  line('intraday_watch_ms', median('watch'), 'ms');
  line('intraday_alerts_ms', median('alerts'), 'ms');
  line('intraday_snapshot_requests_per_slot', server.requests.length / 4, 'requests');
  process.stdout.write(`# ${DAY} ${SLOT}: ${symbols.length} symbols, ${JSON.stringify(last)}; medians of 3 after a warm-up; target slot ≤ 2000 ms\n`);
  await server.close();
  await mongoose.connection.db?.dropDatabase();
  await disconnectDatabase();
}
