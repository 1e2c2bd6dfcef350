// Child of `npm run bench`: one end-to-end scan in a fresh process, so its peak RSS is the scan's own
// (not the seeding's). Prints one JSON line: { totalMs, readMs, computeMs, scanned, peakRssMb, baselineRssMb, heapPeakMb }.
//   tsx scripts/bench-scan.ts <mongodb-uri> <db-name> <symbol-count> <through-date>
import { scanFromStore, SCANS } from '../src/analysis/scan-service.js';
import { connectDatabase, disconnectDatabase } from '../src/db/connection.js';
import { ScanResult } from '../src/db/models/scan-result.js';

const [uri, dbName, countArg, through] = process.argv.slice(2);
if (!uri || !dbName || !countArg || !through) throw new Error('usage: bench-scan <uri> <db> <count> <through>');
const count = Number(countArg);
const baseline = process.memoryUsage().rss;
let peak = baseline;
let heapPeak = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  heapPeak = Math.max(heapPeak, m.heapUsed);
}, 10);
await connectDatabase(uri, dbName);
const symbols = Array.from({ length: count }, (_, i) => `B${i}`);
const criteria = [...SCANS['next-day-prep'].criteria];
const t = performance.now();
const run = await scanFromStore(symbols, through, criteria, 10);
await ScanResult.create({
  scan: `bench-${count}`, date: through, dataThrough: through, universe: count, scanned: run.outcome.scanned, skipped: run.outcome.skipped,
  results: run.outcome.results, quality: run.quality, durationMs: 0, createdAt: new Date(),
});
const totalMs = performance.now() - t;
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(sampler);
await disconnectDatabase();
process.stdout.write(`${JSON.stringify({ totalMs, readMs: run.readMs, computeMs: run.computeMs, scanned: run.outcome.scanned, peakRssMb: peak / 1e6, baselineRssMb: baseline / 1e6, heapPeakMb: heapPeak / 1e6 })}\n`);
