import { DateTime } from 'luxon';
import type { IsoDate } from '../calendar/dates.js';
import { closureReason, isTradingDay, MARKET_ZONE, sessionClose, sessionOpen } from '../calendar/nyse.js';
import { isDuplicateKey } from '../db/connection.js';
import { IntradaySnapshot, snapshotId } from '../db/models/intraday.js';
import { releaseLease, takeLease } from '../db/lease.js';
import { blockOf } from './bar-store.js';
import type { Bar, MarketDataProvider } from './provider.js';
import { volumeShare, type Snapshot, type SnapshotBatch } from './snapshot.js';

/**
 * Snapshots per (session, 15-minute slot): the first job of a slot that needs one asks the provider once
 * for the whole universe and stores it under `_id` "<date>T<HH:MM>"; every other job of that slot (scan,
 * position alerts, watch rules), on any worker, reads it. Two workers at the same moment: the one that
 * inserts the lease asks, the other waits for the document. So a market-hours day costs at most one
 * request per slot (26 from 09:45 to 16:00), never more, whatever runs.
 */
export interface StoredSnapshot {
  id: string;
  date: IsoDate;
  slot: string;
  provider: string;
  delayed: boolean;
  asOf: number;
  rows: Map<string, Snapshot>;
  missing: Record<string, string>;
  /** Minutes from the open to the slot, and the session's length: the time-of-day volume share. */
  minutes: number;
  sessionMinutes: number;
}

export type SnapshotOutcome =
  | { ok: true; snapshot: StoredSnapshot; taken: boolean }
  | { ok: false; code: 'closed' | 'outside-session' | 'unsupported' | 'past'; reason: string };

const FIELDS = 7;

/** The instant of `slot` (HH:MM, New York) on `date`. */
export function slotInstant(date: IsoDate, slot: string): Date {
  const [h, m] = slot.split(':').map(Number) as [number, number];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: m }, { zone: MARKET_ZONE }).toJSDate();
}

/** The New York "HH:MM" of an instant, floored to its 15-minute slot. */
export function slotOf(at: Date): { date: IsoDate; slot: string } {
  const t = DateTime.fromJSDate(at, { zone: MARKET_ZONE });
  const minute = Math.floor(t.minute / 15) * 15;
  return { date: t.toISODate()!, slot: `${String(t.hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}` };
}

/** Why no snapshot can exist for this slot (a closed day, before the open or after the close), or undefined. */
export function outsideSession(date: IsoDate, slot: string): { code: 'closed' | 'outside-session'; reason: string } | undefined {
  if (!isTradingDay(date)) return { code: 'closed', reason: `the market is closed on ${date} (${closureReason(date)})` };
  const at = slotInstant(date, slot).getTime();
  if (at <= sessionOpen(date).getTime() || at > sessionClose(date).getTime()) {
    return { code: 'outside-session', reason: `${slot} is outside the session of ${date} (09:30–${DateTime.fromJSDate(sessionClose(date), { zone: MARKET_ZONE }).toFormat('HH:mm')})` };
  }
  return undefined;
}

function decode(doc: { _id: string; date: string; slot: string; provider: string; delayed: boolean; asOf: number; symbols: string[]; columns: unknown; missing?: unknown }): StoredSnapshot {
  const bytes = Uint8Array.from(blockOf(doc.columns)); // a copy: Float64Array needs an aligned offset
  const f = new Float64Array(bytes.buffer, 0, bytes.byteLength / 8);
  const rows = new Map<string, Snapshot>();
  doc.symbols.forEach((symbol, i) => {
    const o = i * FIELDS;
    rows.set(symbol, { symbol, date: doc.date, open: f[o]!, high: f[o + 1]!, low: f[o + 2]!, last: f[o + 3]!, volume: f[o + 4]!, prevClose: f[o + 5]!, lastTradeAt: f[o + 6]! });
  });
  const open = sessionOpen(doc.date).getTime();
  const sessionMinutes = Math.round((sessionClose(doc.date).getTime() - open) / 60_000);
  const minutes = Math.max(0, Math.min(sessionMinutes, Math.round((slotInstant(doc.date, doc.slot).getTime() - open) / 60_000)));
  return { id: doc._id, date: doc.date, slot: doc.slot, provider: doc.provider, delayed: doc.delayed, asOf: doc.asOf, rows, missing: (doc.missing as Record<string, string>) ?? {}, minutes, sessionMinutes };
}

function encode(rows: Snapshot[]): Buffer {
  const f = new Float64Array(rows.length * FIELDS);
  rows.forEach((r, i) => f.set([r.open, r.high, r.low, r.last, r.volume, r.prevClose, r.lastTradeAt], i * FIELDS));
  return Buffer.from(f.buffer);
}

/** How long a worker taking a slot's snapshot holds it before a waiting one may take it over (a killed holder's). */
const SNAPSHOT_LEASE_MS = 60_000;

/** A stored snapshot, by `_id`. */
export async function readSnapshot(date: IsoDate, slot: string): Promise<StoredSnapshot | undefined> {
  const doc = await IntradaySnapshot.findById(snapshotId(date, slot)).lean();
  return doc ? decode(doc) : undefined;
}

/**
 * The universe's snapshot for (date, slot): stored, or taken now (one provider call). Refused, with the
 * reason, on a closed day, outside the session, from a provider without snapshots, or for a past slot from
 * a live provider (it can only answer for now; the demo answers for any instant).
 */
export async function snapshotFor(opts: { date: IsoDate; slot: string; symbols: string[]; provider: MarketDataProvider; now?: Date; waitMs?: number }): Promise<SnapshotOutcome> {
  const outside = outsideSession(opts.date, opts.slot);
  if (outside) return { ok: false, ...outside };
  const stored = await readSnapshot(opts.date, opts.slot);
  if (stored) return { ok: true, snapshot: stored, taken: false };
  const provider = opts.provider;
  if (!provider.getSnapshot) return { ok: false, code: 'unsupported', reason: `${provider.id} serves no intraday snapshots` };
  const at = slotInstant(opts.date, opts.slot);
  const now = opts.now ?? new Date();
  if (!provider.snapshotsAnyTime && Math.abs(now.getTime() - at.getTime()) > 20 * 60_000) {
    return { ok: false, code: 'past', reason: `${provider.id} answers snapshots for now only, and ${opts.date} ${opts.slot} is not now` };
  }
  const id = snapshotId(opts.date, opts.slot);
  // One worker asks the provider; the others wait for its document. A holder that fails releases the slot, and a
  // waiter then takes it over (its lease also runs out after a minute if the holder was killed), so one failed
  // attempt does not fail every job that wanted the same slot.
  // The lease runs on the real clock, as a run's claim does (src/scheduler/run-job.ts): a job's `now` is fixed when
  // it starts (a recovered run's even earlier), and a waiter judging a killed holder's lease at that moment would
  // never see it run out. The default wait outlasts the lease, so a killed holder's slot is always taken over.
  const started = Date.now();
  const take = () => takeLease('snapshot', id, { fromGen: 1, ttlMs: SNAPSHOT_LEASE_MS, maxHops: 100 });
  let lease = await take();
  const tookOver = !lease;
  const waitMs = opts.waitMs ?? SNAPSHOT_LEASE_MS + 15_000;
  const deadline = started + waitMs;
  while (!lease) {
    if (Date.now() >= deadline) throw new Error(`the ${id} snapshot is being taken by another worker and did not arrive within ${waitMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
    const s = await readSnapshot(opts.date, opts.slot);
    if (s) return { ok: true, snapshot: s, taken: false };
    lease = await take();
  }
  // Taken over from a holder that gave up: it may have stored the slot after all just before.
  const late = tookOver ? await readSnapshot(opts.date, opts.slot) : undefined;
  if (late) {
    await releaseLease(lease).catch(() => undefined);
    return { ok: true, snapshot: late, taken: false };
  }
  let batch: SnapshotBatch;
  try {
    batch = await provider.getSnapshot(opts.symbols, at);
  } catch (err) {
    await releaseLease(lease).catch(() => undefined);
    throw err;
  }
  const rows = batch.rows.filter((r) => r.date === opts.date);
  const missing = Object.fromEntries(batch.missing);
  for (const r of batch.rows) if (r.date !== opts.date) missing[r.symbol] = `snapshot is of ${r.date}, not ${opts.date}`;
  const doc = {
    _id: id, date: opts.date, slot: opts.slot, provider: provider.lastServedBy ?? provider.id, delayed: batch.delayed,
    asOf: Math.max(0, ...rows.map((r) => r.lastTradeAt)), symbols: rows.map((r) => r.symbol), columns: encode(rows), missing, takenAt: now,
  };
  try {
    await IntradaySnapshot.create(doc);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  return { ok: true, snapshot: (await readSnapshot(opts.date, opts.slot))!, taken: true };
}

/** The day so far as a bar (close = last) to append to a symbol's daily bars. Never stored. */
export function partialBar(s: Snapshot): Bar {
  return { symbol: s.symbol, date: s.date, open: s.open, high: s.high, low: s.low, close: s.last, volume: s.volume, synthetic: false };
}

/** The share of a normal day's volume traded by the snapshot's slot. */
export function shareOfDay(s: Pick<StoredSnapshot, 'minutes' | 'sessionMinutes'>): number {
  return volumeShare(s.minutes, s.sessionMinutes);
}

/** "13:00 New York, 15-minute delayed": how a post names a snapshot's time. */
export function describeSnapshot(s: Pick<StoredSnapshot, 'slot' | 'delayed' | 'asOf'>): string {
  const last = s.asOf ? DateTime.fromMillis(s.asOf, { zone: MARKET_ZONE }).toFormat('HH:mm') : undefined;
  return `as of ${s.slot} New York${s.delayed ? ', 15-minute delayed' : ''}${last && last !== s.slot ? ` (last trade ${last})` : ''}`;
}
