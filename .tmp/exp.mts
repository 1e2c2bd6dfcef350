import { mkdtempSync } from 'node:fs';
import mongoose from 'mongoose';
import { Binary } from 'mongodb';
import { connectDatabase } from '../src/db/connection.ts';
import { resolveDatabase } from '../src/db/local-server.ts';
const dir = mkdtempSync('/dev/shm/exp-');
const db = await resolveDatabase({ dataDir: dir, preferEmbedded: true });
await connectDatabase(db.uri, 'exp');
const c1 = mongoose.connection.db!.collection('arr');
const c2 = mongoose.connection.db!.collection('bin');
const N = 1000, L = 130;
const docsA = [], docsB = [];
for (let i = 0; i < N; i++) {
  const cols = Array.from({ length: 5 }, () => Array.from({ length: L }, () => Math.round(Math.random() * 10000) / 100));
  const dates = Array.from({ length: L }, (_, k) => `2019-${String(1 + (k % 12)).padStart(2, '0')}-${String(1 + (k % 28)).padStart(2, '0')}`);
  docsA.push({ symbol: `S${i}`, year: 2019, dates, open: cols[0], high: cols[1], low: cols[2], close: cols[3], volume: cols[4] });
  const f = new Float64Array(5 * L); cols.forEach((col, j) => f.set(col, j * L));
  docsB.push({ symbol: `S${i}`, year: 2019, dates: dates.join(','), data: new Binary(Buffer.from(f.buffer)) });
}
await c1.insertMany(docsA); await c2.insertMany(docsB);
for (let r = 0; r < 3; r++) {
  let t = performance.now(); const a = await c1.find({ year: 2019 }).toArray(); const ta = performance.now() - t;
  t = performance.now(); const b = await c2.find({ year: 2019 }).toArray(); const tb = performance.now() - t;
  console.log('arrays', Math.round(ta), 'ms', a.length, ' binary', Math.round(tb), 'ms', b.length);
}
await mongoose.disconnect(); await db.stop();
