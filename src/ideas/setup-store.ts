import { addDays, type IsoDate } from '../calendar/dates.js';
import { nextTradingDay } from '../calendar/nyse.js';
import { isDuplicateKey } from '../db/connection.js';
import { IdeaSetups } from '../db/models/ideas.js';
import { blockOf, streamBars } from '../market-data/bar-store.js';
import type { Bar } from '../market-data/provider.js';
import { setupAt, setupBefore, setupColumns, type Setup } from './features.js';

/**
 * The universe's setups on one close, stored once (`idea_setups`, `_id` the date): next-day-prep makes them from
 * the bars its 17:30 scan already streams, so the next day's 09:00, 11:00 and 14:30 slots read one document instead
 * of a year of bars each (the bars' query is a scan of the whole store on the embedded FerretDB). A symbol whose
 * row is missing or older than the close (its bar came later) is computed from its bars on the spot.
 */
const FIELDS = ['close', 'high', 'low', 'atr', 'rsi', 'squeeze', 'sma20', 'sma50', 'high252', 'ret20', 'move', 'avgVolume'] as const;
/** Calendar days of bars behind a setup (the 252-session high and the indicators' warm-up). */
export const SETUP_LOOKBACK_DAYS = 400;
const KEEP_DAYS = 14;

/** The close's setups as one binary block of columns (FerretDB stores no nested arrays; a block is also small). */
function encode(setups: Setup[]): Buffer {
  const f = new Float64Array(setups.length * FIELDS.length);
  setups.forEach((s, i) => FIELDS.forEach((k, j) => (f[i * FIELDS.length + j] = s[k])));
  return Buffer.from(f.buffer);
}
function decode(date: string, symbols: string[], columns: unknown): Setup[] {
  const bytes = Uint8Array.from(blockOf(columns)); // a copy: Float64Array needs an aligned offset
  const f = new Float64Array(bytes.buffer, 0, Math.floor(bytes.byteLength / 8));
  return symbols.map((symbol, i) => {
    const s: Record<string, unknown> = { symbol, date };
    FIELDS.forEach((k, j) => (s[k] = f[i * FIELDS.length + j]));
    return s as unknown as Setup;
  });
}

/** The setup on a symbol's last bar when that bar is `through`'s (next-day-prep's visitor). */
export function setupOnClose(symbol: string, bars: Bar[], through: IsoDate): Setup | undefined {
  return bars[bars.length - 1]?.date === through ? setupAt(setupColumns(symbol, bars), bars.length - 1) : undefined;
}

/** Store a close's setups once (a second writer's are the same; the first stands); drop those past two weeks. */
export async function storeSetups(through: IsoDate, setups: Setup[], now = new Date()): Promise<void> {
  try {
    const rows = setups.filter((s) => s.date === through);
    await IdeaSetups.create({ _id: through, symbols: rows.map((s) => s.symbol), columns: encode(rows), at: now });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  await IdeaSetups.deleteMany({ _id: { $lt: addDays(through, -KEEP_DAYS) } }).catch(() => undefined);
}

/** The setups of `symbols` on the close of `through`: stored ones, the rest from their bars (and stored if none were). */
export async function setupsThrough(through: IsoDate, symbols: string[], now = new Date()): Promise<Setup[]> {
  const doc = await IdeaSetups.findById(through).lean();
  const have = new Map((doc ? decode(through, doc.symbols, doc.columns) : []).map((s) => [s.symbol, s]));
  const missing = symbols.filter((s) => !have.has(s));
  const fresh: Setup[] = [];
  if (missing.length) {
    const day = nextTradingDay(through);
    for await (const [symbol, bars] of streamBars(missing, addDays(through, -SETUP_LOOKBACK_DAYS), through)) {
      const s = setupBefore(symbol, bars, day);
      if (s) fresh.push(s);
    }
    if (!doc) await storeSetups(through, fresh, now);
  }
  const wanted = new Set(symbols);
  return [...[...have.values()].filter((s) => wanted.has(s.symbol)), ...fresh];
}
