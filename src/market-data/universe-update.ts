import type { IsoDate } from '../calendar/dates.js';
import { tradingDayOnOrBefore, tradingDaysBetween } from '../calendar/nyse.js';
import { UniverseMember } from '../db/models/universe-member.js';
import { COLORS, type PostInput } from '../notify/post.js';
import { lastBarDates } from './bar-store.js';
import { fetchMarketData } from './fetch-service.js';
import type { MarketDataProvider } from './provider.js';
import { loadUniverse, UNIVERSE_FILE, type UniverseEntry } from './universe.js';

/** A symbol is "stale" when its last bar is more than this many trading days behind. */
export const STALE_AFTER_DAYS = 5;
/** New symbols backfilled per run (the rest follow next week or with the first scan). */
export const BACKFILL_LIMIT = 50;

export interface UniverseChange {
  symbol: string;
  name: string;
  sector: string;
}

export interface UniverseReport {
  date: IsoDate;
  asOf: IsoDate;
  initial: boolean;
  members: number;
  added: UniverseChange[];
  removed: UniverseChange[];
  changed: Array<UniverseChange & { from: string }>;
  sectors: Record<string, number>;
  coverage: { fresh: number; stale: string[]; noBars: string[] };
  backfilled: string[];
}

function countBySector(members: Array<{ sector: string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of members) out[m.sector] = (out[m.sector] ?? 0) + 1;
  return out;
}

/** "Information Technology 84 · Industrials 83 · …", largest first, within an embed field. */
function sectorLine(sectors: Record<string, number>): string {
  return Object.entries(sectors).sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`).join(' · ').slice(0, 1024);
}

/** Differences between the stored membership and the file (pure). */
export function diffUniverse(stored: Array<UniverseChange & { active: boolean }>, file: UniverseEntry[]) {
  const active = new Map(stored.filter((s) => s.active).map((s) => [s.symbol, s]));
  const inFile = new Map(file.map((f) => [f.symbol, f]));
  const added = file.filter((f) => !active.has(f.symbol)).map(({ symbol, name, sector }) => ({ symbol, name, sector }));
  const removed = [...active.values()].filter((s) => !inFile.has(s.symbol)).map(({ symbol, name, sector }) => ({ symbol, name, sector }));
  const changed = file
    .filter((f) => active.has(f.symbol) && (active.get(f.symbol)!.sector !== f.sector || active.get(f.symbol)!.name !== f.name))
    .map((f) => ({ symbol: f.symbol, name: f.name, sector: f.sector, from: `${active.get(f.symbol)!.name} · ${active.get(f.symbol)!.sector}` }));
  return { added, removed, changed };
}

/**
 * The weekly stock-universe-update: re-read the maintained file, record who joined and who left
 * (removed members keep their bars), backfill history for new members, and report coverage.
 * Idempotent: a second run finds nothing to add or remove.
 */
export async function updateUniverse(opts: { date: IsoDate; provider: MarketDataProvider; file?: string; now?: Date }): Promise<UniverseReport> {
  const now = opts.now ?? new Date();
  const file = loadUniverse(opts.file ?? UNIVERSE_FILE, { fresh: true });
  const stored = await UniverseMember.find({}).lean();
  const initial = stored.length === 0;
  const { added, removed, changed } = diffUniverse(stored, file);
  const byFile = new Map(file.map((f) => [f.symbol, f]));
  const ops = [
    ...[...added, ...changed].map((a) => ({
      updateOne: {
        filter: { symbol: a.symbol },
        update: {
          $set: { name: a.name, sector: a.sector, indices: byFile.get(a.symbol)!.indices, active: true, removedAt: null, updatedAt: now },
          $setOnInsert: { addedAt: now },
        },
        upsert: true,
      },
    })),
    ...removed.map((r) => ({ updateOne: { filter: { symbol: r.symbol }, update: { $set: { active: false, removedAt: now, updatedAt: now } } } })),
  ];
  if (ops.length) await UniverseMember.bulkWrite(ops, { ordered: false });

  const asOf = tradingDayOnOrBefore(opts.date);
  const symbols = file.map((f) => f.symbol);
  let last = await lastBarDates(symbols);
  // New members get their history now, so Monday's scans see them; not on the first load (the scans backfill).
  const backfill = initial ? [] : added.map((a) => a.symbol).filter((s) => last.get(s) === undefined).slice(0, BACKFILL_LIMIT);
  if (backfill.length) {
    await fetchMarketData({ date: asOf, symbols: backfill, provider: opts.provider });
    last = await lastBarDates(symbols);
  }
  const stale: string[] = [];
  const noBars: string[] = [];
  for (const s of symbols) {
    const l = last.get(s);
    if (l === undefined) noBars.push(s);
    else if (tradingDaysBetween(l, asOf).length - 1 > STALE_AFTER_DAYS) stale.push(s);
  }
  const sectors = countBySector(file);
  return {
    date: opts.date, asOf, initial, members: file.length, added, removed, changed, sectors,
    coverage: { fresh: symbols.length - stale.length - noBars.length, stale, noBars }, backfilled: backfill,
  };
}

/**
 * The membership (for /universe and `universe --json`): counts, sectors, recent changes. Before the weekly
 * update has stored it, the maintained list the scans read (data/universe.json), said so: both agree.
 */
export async function universeView(): Promise<{ members: number; sectors: Record<string, number>; recent: Array<{ symbol: string; change: 'added' | 'removed'; at: string }>; source: 'stored' | 'file' }> {
  const docs = await UniverseMember.find({}).lean();
  if (docs.length === 0) {
    const file = loadUniverse();
    return { members: file.length, sectors: countBySector(file), recent: [], source: 'file' };
  }
  const active = docs.filter((d) => d.active);
  const sectors = countBySector(active);
  const recent = docs
    .flatMap((d) => [{ symbol: d.symbol, change: 'added' as const, at: d.addedAt }, ...(d.removedAt ? [{ symbol: d.symbol, change: 'removed' as const, at: d.removedAt }] : [])])
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.symbol < b.symbol ? -1 : 1))
    .slice(0, 20)
    .map((r) => ({ ...r, at: r.at.toISOString() }));
  return { members: active.length, sectors, recent, source: 'stored' };
}

const list = (xs: Array<{ symbol: string }> | string[], max = 30) => {
  const names = xs.map((x) => (typeof x === 'string' ? x : x.symbol));
  return names.length ? `${names.slice(0, max).join(', ')}${names.length > max ? ` … (+${names.length - max})` : ''}` : 'none';
};

export function universeReportPost(r: UniverseReport, demo: boolean): PostInput {
  const problems = r.coverage.stale.length + r.coverage.noBars.length;
  return {
    kind: 'ops',
    title: `Universe · ${r.members} symbols${r.initial ? ' (first load)' : ''}`,
    description: r.initial
      ? `Loaded ${r.members} symbols from the maintained list; the scans backfill their history.`
      : `${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} renamed or re-classified; bars as of ${r.asOf}.`,
    color: problems && !r.initial ? COLORS.warn : COLORS.ok,
    demo,
    fields: [
      ...(!r.initial ? [{ name: 'Added', value: list(r.added) }, { name: 'Removed (bars kept)', value: list(r.removed) }] : []),
      ...(r.changed.length ? [{ name: 'Changed', value: r.changed.slice(0, 10).map((c) => `${c.symbol}: ${c.from} → ${c.name} · ${c.sector}`).join('\n') }] : []),
      { name: 'Coverage', value: `${r.coverage.fresh} up to date · ${r.coverage.stale.length} stale (> ${STALE_AFTER_DAYS} trading days) · ${r.coverage.noBars.length} without bars`, inline: false },
      ...(r.coverage.stale.length ? [{ name: 'Stale', value: list(r.coverage.stale) }] : []),
      ...(r.backfilled.length ? [{ name: 'Backfilled', value: list(r.backfilled) }] : []),
      { name: 'Sectors', value: sectorLine(r.sectors) },
    ],
    footer: 'stock-universe-update',
  };
}

export function universeViewPost(v: Awaited<ReturnType<typeof universeView>>): PostInput {
  return {
    kind: 'scans',
    title: `Universe · ${v.members} active symbols`,
    description: v.source === 'file'
      ? `The maintained list (data/universe.json), which the scans use. The weekly stock-universe-update (Sunday 09:00 New York) records it with additions and removals; an admin can /rerun it.`
      : undefined,
    fields: [
      ...(v.members ? [{ name: 'Sectors', value: sectorLine(v.sectors) }] : []),
      ...(v.recent.length ? [{ name: 'Recent changes', value: v.recent.slice(0, 15).map((r) => `${r.at.slice(0, 10)} ${r.change === 'added' ? '+' : '−'} ${r.symbol}`).join('\n') }] : []),
    ],
  };
}
