import type { IsoDate } from '../calendar/dates.js';
import { bulk, insertNew, mergeIndexEntries, replaceOp, type IdDoc, type Op } from '../db/bulk.js';
import { CongressFiling, CongressIndex, CongressMember, CongressTrade } from '../db/models/congress.js';
import type { MemberRef, ParsedFiling, ParsedRow } from './contracts.js';

/** A trade is "late" when disclosed more than 45 days after it happened (the STOCK Act's limit). */
export const LATE_AFTER_DAYS = 45;

export const filingId = (chamber: string, docId: string): string => `${chamber}:${docId}`;
export const tradeId = (chamber: string, docId: string, row: number): string => `${chamber}:${docId}:${row}`;

/** What the index keeps of a transaction: everything a list shows, so a view reads index documents only. */
export interface TradeEntry {
  id: string;
  docId: string;
  chamber: string;
  memberKey: string;
  member: string;
  filedOn: IsoDate;
  transactionDate: IsoDate;
  notificationDate: IsoDate | null;
  owner: string;
  ticker: string | null;
  asset: string;
  type: string;
  amount: string;
  option: boolean;
  lagDays: number | null;
  late: boolean | null;
  /** Set on an amending or deleting row: the transaction it restates (lists show the original once). */
  amends: string | null;
  /** The House's row ID (rows involved in an amendment), else null. */
  rowId: string | null;
  status: string;
  synthetic: boolean;
}

/** A filing that could not be parsed, listed with the day's trades so it shows as a gap, not as "no trades". */
export interface FilingEntry {
  id: string;
  docId: string;
  chamber: string;
  memberKey: string;
  member: string;
  filedOn: IsoDate;
  parsed: false;
  reason: string;
  url: string;
  synthetic: boolean;
}

export type IndexEntry = (TradeEntry & { kind: 'trade' }) | (FilingEntry & { kind: 'filing' });

const days = (from: IsoDate, to: IsoDate): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Whether a filing is stored already (`_id` lookups, a few at a time). */
export async function storedFilings(ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += 32) {
    const found = await Promise.all(ids.slice(i, i + 32).map((id) => CongressFiling.exists({ _id: id })));
    found.forEach((f, k) => f && out.add(ids[i + k]!));
  }
  return out;
}

/**
 * The transaction an amending row restates: by the House's row ID (kept across the original and the amendment),
 * else by member + asset/ticker + transaction date among the member's trades — stored, or earlier in this batch
 * (never the same filing: identical rows of one filing are tranches). `_id` lookups only.
 */
async function findOriginal(row: ParsedRow, member: MemberRef, docId: string, batch: TradeEntry[]): Promise<TradeEntry | null> {
  if (row.rowId) {
    const byRow = ((await CongressIndex.findById(`r|${row.rowId}`).lean())?.entries ?? []) as IndexEntry[];
    const hit = byRow.find((e): e is TradeEntry & { kind: 'trade' } => e.kind === 'trade') ?? batch.find((e) => e.rowId === row.rowId && e.docId !== docId && !e.amends);
    if (hit) return hit;
  }
  const same = (e: TradeEntry) => e.docId !== docId && e.memberKey === member.key && e.transactionDate === row.transactionDate && !e.amends && ((row.ticker && e.ticker === row.ticker) || e.asset === row.asset.slice(0, 120));
  const doc = await CongressIndex.findById(`m|${member.key}|${row.transactionDate.slice(0, 4)}`).lean();
  return ((doc?.entries ?? []) as IndexEntry[]).filter((e): e is TradeEntry & { kind: 'trade' } => e.kind === 'trade').find(same) ?? batch.find(same) ?? null;
}

export interface StoredFiling {
  filingId: string;
  trades: TradeEntry[];
  /** False when another process stored it first (it alerts, not this one). */
  fresh: boolean;
}

export interface ToStore {
  p: ParsedFiling;
  source: string;
  /** Seen while the source is followed live (it alerts), not in a first sync or a backfill. */
  live: boolean;
}

/**
 * Store parsed filings: their transactions (unique inserts by chamber:document:row, so a re-run or a second
 * process adds nothing), amendments folded into the row they restate (lateness measured from the first
 * disclosure, no second trade), the index documents (member/year, ticker/year, disclosure day, row id) each read
 * and written once for the whole batch, the members, and last the filings themselves — their inserts mark them
 * done. Call inside the congress writer lease.
 */
export async function storeFilings(items: ToStore[], now: Date): Promise<StoredFiling[]> {
  const all: TradeEntry[] = [];
  const perFiling: TradeEntry[][] = [];
  const docs: IdDoc[] = [];
  const adds = new Map<string, IndexEntry[]>();
  const add = (key: string, e: IndexEntry) => {
    const list = adds.get(key);
    if (list) list.push(e);
    else adds.set(key, [e]);
  };
  for (const { p } of items) {
    const member = p.ref.member;
    const entries: TradeEntry[] = [];
    for (const r of p.rows) {
      const id = tradeId(p.ref.chamber, p.ref.docId, r.row);
      const restates = r.status !== 'new' || p.ref.amendment ? await findOriginal(r, member, p.ref.docId, all) : null;
      // Lateness from the first disclosure: an amendment restating an on-time trade is not late.
      const firstFiled = restates?.filedOn ?? p.ref.filedOn;
      const lagDays = restates || r.status === 'new' ? days(r.transactionDate, firstFiled) : null;
      const entry: TradeEntry = {
        id, docId: p.ref.docId, chamber: p.ref.chamber, memberKey: member.key, member: member.name, filedOn: p.ref.filedOn, transactionDate: r.transactionDate, notificationDate: r.notificationDate,
        owner: r.owner, ticker: r.ticker, asset: r.asset.slice(0, 120), type: r.type, amount: r.amount.text, option: r.option, lagDays, late: lagDays === null ? null : lagDays > LATE_AFTER_DAYS,
        amends: restates?.id ?? null, status: r.status, rowId: r.rowId, synthetic: p.ref.synthetic,
      };
      entries.push(entry);
      docs.push({
        _id: id, chamber: p.ref.chamber, docId: p.ref.docId, row: r.row, rowId: r.rowId, memberKey: member.key, memberName: member.name, owner: r.owner, asset: r.asset, ticker: r.ticker,
        cusip: r.cusip, assetType: r.assetType, type: r.type, transactionDate: r.transactionDate, notificationDate: r.notificationDate, filedOn: p.ref.filedOn, amount: r.amount,
        option: r.option, status: r.status, description: r.description, lagDays, late: entry.late, amends: entry.amends, synthetic: p.ref.synthetic,
      });
      const t: IndexEntry = { kind: 'trade', ...entry };
      add(`m|${member.key}|${entry.transactionDate.slice(0, 4)}`, t);
      add(`d|${entry.filedOn}`, t);
      if (entry.ticker) add(`t|${entry.ticker}|${entry.filedOn.slice(0, 4)}`, t);
      if (r.rowId && !entry.amends) add(`r|${r.rowId}`, t);
    }
    all.push(...entries);
    perFiling.push(entries);
    if (!p.parsed) {
      const f: IndexEntry = {
        kind: 'filing', id: filingId(p.ref.chamber, p.ref.docId), docId: p.ref.docId, chamber: p.ref.chamber, memberKey: member.key, member: member.name, filedOn: p.ref.filedOn,
        parsed: false, reason: p.reason ?? 'not parsed', url: p.ref.url, synthetic: p.ref.synthetic,
      };
      add(`d|${p.ref.filedOn}`, f);
      add(`m|${member.key}|${p.ref.filedOn.slice(0, 4)}`, f);
    }
  }
  await insertNew(CongressTrade, docs);
  await mergeIndex(adds);
  await upsertMembers(items.map((x) => x.p.ref));
  const inserted = await insertNew(CongressFiling, items.map(({ p, source, live }) => ({
    _id: filingId(p.ref.chamber, p.ref.docId), chamber: p.ref.chamber, docId: p.ref.docId, source, memberKey: p.ref.member.key, memberName: p.ref.member.name, filedOn: p.ref.filedOn,
    url: p.ref.url, paper: p.ref.paper, parsed: p.parsed, reason: p.reason, rows: p.rows.length, warnings: p.warnings.slice(0, 10), live, synthetic: p.ref.synthetic, storedAt: now,
  })));
  return items.map(({ p }, i) => ({ filingId: filingId(p.ref.chamber, p.ref.docId), trades: perFiling[i]!, fresh: inserted.has(i) }));
}

/** Add entries to index documents by `_id`, skipping ids already there (a re-run after a kill adds nothing twice). */
async function mergeIndex(adds: Map<string, IndexEntry[]>): Promise<void> {
  await mergeIndexEntries(CongressIndex, new Map([...adds].map(([id, entries]) => [id, { entries }])), (e) => e.id);
}

/** Each member once: name and place as last filed, filings counted, the latest filing day. */
async function upsertMembers(refs: Array<ParsedFiling['ref']>): Promise<void> {
  const byKey = new Map<string, Array<ParsedFiling['ref']>>();
  for (const r of refs) byKey.set(r.member.key, [...(byKey.get(r.member.key) ?? []), r]);
  const keys = [...byKey.keys()];
  const current = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keys.length; i += 32) {
    for (const d of await Promise.all(keys.slice(i, i + 32).map((k) => CongressMember.findById(k).lean()))) if (d) current.set(d._id, d as unknown as Record<string, unknown>);
  }
  const ops: Op[] = keys.map((k) => {
    const list = byKey.get(k)!;
    const m = list.at(-1)!.member;
    const cur = current.get(k) as { state?: string | null; district?: string | null; bioguide?: string | null; filings?: number; lastFiledOn?: string | null } | undefined;
    const last = list.reduce((x, r) => (r.filedOn > x ? r.filedOn : x), cur?.lastFiledOn ?? '');
    return replaceOp({
      _id: k, name: m.name, chamber: m.chamber, state: m.state ?? cur?.state ?? null, district: m.district ?? cur?.district ?? null, bioguide: m.bioguide ?? cur?.bioguide ?? null,
      filings: (cur?.filings ?? 0) + list.length, lastFiledOn: last || null, synthetic: list.some((r) => r.synthetic),
    });
  });
  await bulk(CongressMember, ops);
}

/** Index entries of some documents (missing ones are empty). */
export async function indexEntries(ids: string[]): Promise<IndexEntry[]> {
  const out: IndexEntry[] = [];
  for (let i = 0; i < ids.length; i += 32) {
    const docs = await Promise.all(ids.slice(i, i + 32).map((id) => CongressIndex.findById(id).lean()));
    for (const d of docs) if (d) out.push(...((d.entries ?? []) as IndexEntry[]));
  }
  return out;
}

/** Every stored member (a small collection: a few hundred documents), for name matching and autocomplete. */
export async function allMembers(): Promise<Array<{ key: string; name: string; chamber: string; state: string | null; district: string | null; filings: number; lastFiledOn: string | null; synthetic: boolean }>> {
  const docs = await CongressMember.find({}).lean();
  return docs.map((d) => ({ key: d._id, name: d.name, chamber: d.chamber, state: d.state ?? null, district: d.district ?? null, filings: d.filings ?? 0, lastFiledOn: d.lastFiledOn ?? null, synthetic: d.synthetic ?? false }));
}
