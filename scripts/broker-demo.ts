// `npm run demo:broker`: a demo week of a broker portfolio on the local stand-in of Alpaca's Trading API
// (test/helpers/alpaca-stand-in.ts — Alpaca's documented behaviour, no network), on the embedded database in a
// temporary folder. Each day: the signal (demo market), place-orders at 09:15 (opg), the day orders and fills
// after the open (filled by the stand-in at the day's demo open), follow-orders, closing-portfolio-sync; on the
// last day a difference is injected (an order someone else placed) and the sync names it. Prints what happened.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lotsOf } from '../src/broker/lots-service.js';
import { followOrders, placeOrders } from '../src/broker/order-service.js';
import { syncPortfolio } from '../src/broker/reconcile.js';
import { parseEnvVars } from '../src/config/env.js';
import { connectDatabase, disconnectDatabase } from '../src/db/connection.js';
import { resolveDatabase } from '../src/db/local-server.js';
import { waitForServerExit } from '../src/db/shared-server.js';
import { barsOn } from '../src/market-data/bar-store.js';
import { fetchMarketData } from '../src/market-data/fetch-service.js';
import { providerFor } from '../src/market-data/providers.js';
import { configureLogging } from '../src/runtime/runtime.js';
import { migrateStorage } from '../src/runtime/migrations.js';
import { loadJobs } from '../src/scheduler/job-registry.js';
import { runJob } from '../src/scheduler/run-job.js';
import { setConfig } from '../src/strategy/config-service.js';
import { TradingConfig } from '../src/db/models/trading-config.js';
import { AlpacaStandIn, STAND_IN_KEYS } from '../test/helpers/alpaca-stand-in.js';

const DAYS = ['2020-02-10', '2020-02-11', '2020-02-12', '2020-02-13', '2020-02-14'];
const say = (s: string) => process.stdout.write(`${s}\n`);
const nyAt = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00-05:00`); // February: EST

const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'signaldesk-broker-demo-'));
const db = await resolveDatabase({ dataDir: dir, preferEmbedded: true, idleGraceMs: 500 });
const alpaca = new AlpacaStandIn();
await alpaca.start();
try {
  const uri = `${db.uri.replace(/\/$/, '')}/broker_demo`;
  const env = parseEnvVars({ MONGODB_URI: uri, LOG_LEVEL: 'silent', ALPACA_KEY_ID: STAND_IN_KEYS.id, ALPACA_SECRET_KEY: STAND_IN_KEYS.secret, ALPACA_TRADING_URL: alpaca.url });
  configureLogging(env);
  await connectDatabase(uri);
  await migrateStorage();
  const jobs = await loadJobs(env.SCHEDULE_TIMEZONE, undefined, () => undefined);
  await setConfig('main', ['broker=alpaca', 'daily_capital=50000'], { id: 'demo', name: 'broker-demo', source: 'cli' });
  // A version is in force from the day it is written (no look-ahead); the demo replays 2020, so it dates this one back.
  await TradingConfig.updateMany({ portfolio: 'main', version: 1 }, { $set: { endDate: '2019-12-31' } });
  await TradingConfig.updateMany({ portfolio: 'main', version: 2 }, { $set: { startDate: '2020-01-01' } });
  say('# config set broker=alpaca daily_capital=50000 (main, dated back to 2020 for the demo); the stand-in is a paper account with $100,000');
  for (const [k, date] of DAYS.entries()) {
    await runJob(jobs.get('generate-signal')!, env, { date, trigger: 'cli', now: nyAt(date, '06:00') });
    alpaca.now = nyAt(date, '09:15');
    const open = await placeOrders(env, 'main', date, nyAt(date, '09:15'), 'open');
    if (open.skipped) {
      say(`${date}: ${open.skipped}`);
      continue;
    }
    await fetchMarketData({ date, symbols: ['SPY', 'QQQ', 'DIA'], provider: providerFor(env) });
    const bars = await barsOn(['SPY', 'QQQ', 'DIA'], date);
    for (const o of alpaca.orders.filter((x) => x.status === 'accepted' && x.time_in_force === 'opg')) alpaca.fill(o.client_order_id, [{ qty: Number(o.qty), price: bars.get(o.symbol)!.open }]);
    alpaca.now = nyAt(date, '09:35');
    const day = await placeOrders(env, 'main', date, nyAt(date, '09:35'), 'day');
    for (const o of alpaca.orders.filter((x) => x.status === 'accepted' && x.time_in_force === 'day')) {
      const price = +(bars.get(o.symbol)!.open * 1.001).toFixed(2);
      const qty = o.qty ? Number(o.qty) : Math.floor((Number(o.notional) / price) * 1e6) / 1e6;
      // Paper fills in parts now and then: the first day order of the week in two.
      if (k === 0 && o.symbol === 'SPY') alpaca.fill(o.client_order_id, [{ qty: +(qty / 2).toFixed(6), price }, { qty: +(qty - +(qty / 2).toFixed(6)).toFixed(6), price: +(price + 0.02).toFixed(2) }]);
      else alpaca.fill(o.client_order_id, [{ qty, price }]);
    }
    alpaca.now = nyAt(date, '09:45');
    const f = await followOrders(env, 'main', date, nyAt(date, '09:45'));
    say(`${date}: ${[...open.placed, ...day.placed].map((o) => `${o.side} ${o.symbol} ${o.qty !== null ? `${o.qty} sh` : `$${o.notional?.toFixed(2)}`} ${o.timeInForce} [${o.clientOrderId}]`).join('; ') || 'no order (HOLD)'}`);
    if (f.trades.length) say(`   fills: ${f.trades.map((t) => `${t.action} ${t.quantity} ${t.symbol} @ ${t.price}`).join('; ')}`);
    if (k === DAYS.length - 1) {
      const foreign = alpaca.foreignOrder('DIA', 3);
      say(`   injected: an order placed outside signaldesk (${foreign.id}, buy 3 DIA)`);
    }
    alpaca.now = nyAt(date, '16:15');
    const s = await syncPortfolio(env, 'main', date, 'closing', nyAt(date, '16:15'));
    say(`   16:15 sync: ${s.inSync ? `broker: in sync (${s.positions} positions; quantities agree, and cash moved alike once the ledger's daily capital — never deposited at the broker — is set aside)` : s.differences.map((d) => d.detail).join('; ')}`);
  }
  const lots = await lotsOf('main');
  say(`# tax lots (${lots.method}): ${lots.open.length} open`);
  for (const l of lots.open) say(`   ${l.symbol} ${l.openedOn} ${l.quantity.toFixed(6)} @ ${l.cost.toFixed(2)}`);
  say(`# realised: short term ${lots.realized.short.toFixed(2)}, long term ${lots.realized.long.toFixed(2)}`);
} finally {
  await disconnectDatabase().catch(() => undefined);
  await alpaca.close();
  await db.stop();
  if (db.kind === 'ferretdb') await waitForServerExit(join(dir, 'ferretdb'));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
