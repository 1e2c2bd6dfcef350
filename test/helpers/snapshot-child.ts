// A process of ours asking for one slot's snapshot (test/market-data/snapshot-processes.test.ts runs four at once).
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { PolygonProvider } from '../../src/market-data/providers/polygon.js';
import { slotInstant, snapshotFor } from '../../src/market-data/snapshot-store.js';
import { manualClock } from './replay-server.js';

const [date, slot] = [process.env.SNAP_DATE!, process.env.SNAP_SLOT!];
await connectDatabase(process.env.SNAP_URI!, process.env.SNAP_DB!);
const now = new Date(slotInstant(date, slot).getTime() + 60_000);
const provider = new PolygonProvider({ baseUrl: process.env.SNAP_BASE!, apiKey: 'PKEY1234567', timeoutMs: 5_000, limits: { perMinute: 600, perDay: null }, clock: manualClock(now.getTime()) });
const r = await snapshotFor({ date, slot, symbols: ['AAPL', 'SPY', 'MSFT'], provider, now });
process.stdout.write(`${JSON.stringify(r.ok ? { taken: r.taken, rows: r.snapshot.rows.size, aapl: r.snapshot.rows.get('AAPL')?.last } : { refused: r.reason })}\n`);
await disconnectDatabase();
