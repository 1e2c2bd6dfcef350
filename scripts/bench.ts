// `npm run bench`: scan performance figures, one per line as `name value unit` (never a timed test).
// Seeds N symbols × 260 daily bars into a fresh database (TEST_MONGODB_URI, else the embedded FerretDB in a
// temporary folder), then measures the read, the scan compute, the whole scan, and a plain typed-array floor.
//   npm run bench              500 and 5,000 symbols
//   npm run bench -- --quick   500 symbols only
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { runScanner } from '../src/analysis/scanner.js';
import { nextTradingDay, tradingDaysBetween } from '../src/calendar/nyse.js';
import { connectDatabase, disconnectDatabase } from '../src/db/connection.js';
import { resolveDatabase } from '../src/db/local-server.js';
import { ScanResult } from '../src/db/models/scan-result.js';
import { readBars, upsertBars } from '../src/market-data/bar-store.js';
import { DemoProvider } from '../src/market-data/demo-provider.js';
import { fetchMarketData } from '../src/market-data/fetch-service.js';
import type { Bar } from '../src/market-data/provider.js';

const quick = process.argv.includes('--quick');
const DAYS = tradingDaysBetween('2019-01-01', '2020-03-16').slice(-260);
const FROM = DAYS[0]!;
const TO = DAYS[DAYS.length - 1]!;
const CRITERIA = ['atr', 'momentum', 'rsi-extremes', 'bb-squeeze', 'new-highs'];

function line(name: string, value: number, unit: string): void {
  process.stdout.write(`${name} ${Number.isInteger(value) ? value : value.toFixed(3)} ${unit}\n`);
}

/** SMA-20/50, EMA-20, RSI-14 and ATR-14 over typed arrays: the floor the scan's compute is compared to. */
function floorPass(bars: Map<string, Bar[]>): number {
  let sink = 0;
  for (const list of bars.values()) {
    const n = list.length;
    const c = Float64Array.from(list, (b) => b.close);
    const h = Float64Array.from(list, (b) => b.high);
    const l = Float64Array.from(list, (b) => b.low);
    let s20 = 0;
    let s50 = 0;
    let ema = 0;
    let gain = 0;
    let loss = 0;
    let atr = 0;
    for (let i = 0; i < n; i++) {
      s20 += c[i]! - (i >= 20 ? c[i - 20]! : 0);
      s50 += c[i]! - (i >= 50 ? c[i - 50]! : 0);
      ema = i === 0 ? c[0]! : ema + (2 / 21) * (c[i]! - ema);
      if (i > 0) {
        const d = c[i]! - c[i - 1]!;
        gain = (gain * 13 + Math.max(d, 0)) / 14;
        loss = (loss * 13 + Math.max(-d, 0)) / 14;
        const tr = Math.max(h[i]! - l[i]!, Math.abs(h[i]! - c[i - 1]!), Math.abs(l[i]! - c[i - 1]!));
        atr = (atr * 13 + tr) / 14;
      }
    }
    sink += s20 / 20 + s50 / 50 + ema + (loss ? 100 - 100 / (1 + gain / loss) : 100) + atr;
  }
  return sink;
}

async function seed(symbols: string[]): Promise<void> {
  const provider = new DemoProvider();
  for (let i = 0; i < symbols.length; i += 250) {
    await upsertBars(await provider.getDailyBars(symbols.slice(i, i + 250), FROM, TO), 'bench');
  }
}

async function measure(count: number, prefix: string): Promise<void> {
  const symbols = Array.from({ length: count }, (_, i) => `B${i}`);
  await seed(symbols);
  let t = performance.now();
  const bars = await readBars(symbols, FROM, TO);
  const readMs = performance.now() - t;
  t = performance.now();
  const outcome = runScanner(bars, CRITERIA, 10);
  const computeMs = performance.now() - t;
  t = performance.now();
  floorPass(bars);
  const floorMs = performance.now() - t;
  // End to end: read, compute, store — as the scan service does.
  t = performance.now();
  const again = runScanner(await readBars(symbols, FROM, TO), CRITERIA, 10);
  await ScanResult.create({ scan: `bench-${count}`, date: TO, dataThrough: TO, universe: count, scanned: again.scanned, skipped: again.skipped, results: again.results, durationMs: 0, createdAt: new Date() });
  const totalMs = performance.now() - t;
  if (outcome.scanned !== count) throw new Error(`scanned ${outcome.scanned} of ${count}`);
  if (prefix === '500') {
    line('bars_read_ms', Math.round(readMs), 'ms');
    line('scan_compute_ms', Math.round(computeMs), 'ms');
    line('scan_floor_ms', Math.round(floorMs), 'ms');
    line('scan_floor_ratio', computeMs / Math.max(floorMs, 0.001), 'x');
    line('scan_500_ms', Math.round(totalMs), 'ms');
  } else {
    line(`scan_${prefix}_ms`, Math.round(totalMs), 'ms');
    line(`bars_read_${prefix}_ms`, Math.round(readMs), 'ms');
  }
}

const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'signaldesk-bench-'));
const db = await resolveDatabase({ mongodbUri: process.env.TEST_MONGODB_URI, dataDir: dir, preferEmbedded: true });
try {
  await connectDatabase(db.uri, `bench_${Date.now()}`);
  process.stdout.write(`# database ${db.kind}; ${DAYS.length} bars per symbol (${FROM}..${TO}); criteria ${CRITERIA.join(', ')}\n`);
  await measure(500, '500');
  // The next session's incremental update of the 500 seeded symbols, counting provider requests.
  const provider = new DemoProvider();
  let calls = 0;
  const counting = { id: 'demo', getDailyBars: (syms: string[], f: string, t2: string) => ((calls += 1), provider.getDailyBars(syms, f, t2)) };
  const update = await fetchMarketData({ date: nextTradingDay(TO), symbols: Array.from({ length: 500 }, (_, i) => `B${i}`), provider: counting });
  if (update.inserted !== 500) throw new Error(`daily update inserted ${update.inserted} bars, expected 500`);
  line('daily_update_provider_calls', calls, 'calls');
  if (!quick) await measure(5000, '5000');
  line('rss_mb', Math.round(process.memoryUsage().rss / 1e6), 'MB');
  await mongoose.connection.db?.dropDatabase();
} finally {
  await disconnectDatabase();
  await db.stop();
  rmSync(dir, { recursive: true, force: true });
}
