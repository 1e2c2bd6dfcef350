// The soak's controlled clock (`npm run soak`): loaded with `node --import` into every process of the run.
// SOAK_CLOCK_FILE holds "<simulated ms> <real ms> <speed>": now = simulated + (real now − real) × speed, read
// every 50 ms. Between steps the driver jumps the simulated time to the next due slot, so idle hours cost nothing;
// during a step time runs at `speed` (1 by default), so every budget the product measures (run and outbox leases,
// Agenda's lock lifetimes, the database-latency rule) keeps its real length. Only `Date` is shifted: timers and
// performance.now() stay real.
import { readFileSync } from 'node:fs';

const file = process.env.SOAK_CLOCK_FILE;
if (file) {
  const RealDate = Date;
  let sim = RealDate.now();
  let real = RealDate.now();
  let speed = 1;
  const read = () => {
    try {
      const [s, r, x] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
      if (Number.isFinite(s) && Number.isFinite(r) && Number.isFinite(x)) [sim, real, speed] = [s, r, x];
    } catch {
      // being written: keep the last reading
    }
  };
  read();
  setInterval(read, 50).unref();
  const now = () => Math.round(sim + (RealDate.now() - real) * speed);
  class SoakDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now());
      else super(...args);
    }
    static now() {
      return now();
    }
  }
  // Libraries recognise the type by its name (mongoose's `type: Date`).
  Object.defineProperty(SoakDate, 'name', { value: 'Date' });
  globalThis.Date = SoakDate;
}
