import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { addDays, type IsoDate } from '../../calendar/dates.js';
import { isTradingDay, tradingDayOnOrBefore } from '../../calendar/nyse.js';
import { loadUniverse } from '../../market-data/universe.js';
import type { CongressSource, FilingRef, MemberRef, Owner, ParsedFiling, ParsedRow, TxType } from '../contracts.js';
import { parseAmount } from '../house-parsers.js';

/**
 * The demo's disclosures: a dozen made-up members (no real person), filings on business days derived from the
 * date alone (the same every run, on every machine), all labelled synthetic. Electronic and paper filings,
 * amendments (a later filing restating a row by the House's row ID), late filings (trades more than 45 days
 * before), two identical rows in one filing, an option, a bond with a CUSIP. Tickers are the demo universe's,
 * so a post can show the move since the trade from the demo bars.
 */
export const DEMO_MEMBERS: ReadonlyArray<Omit<MemberRef, 'key' | 'bioguide'> & { id: string }> = [
  { id: 'D000001', name: 'Avery Lindqvist', chamber: 'house', state: 'OR', district: '07' },
  { id: 'D000002', name: 'Brook Okafor', chamber: 'house', state: 'TX', district: '38' },
  { id: 'D000003', name: 'Casey Marchetti', chamber: 'house', state: 'NJ', district: '13' },
  { id: 'D000004', name: 'Dana Whitfield', chamber: 'senate', state: 'MT', district: null },
  { id: 'D000005', name: 'Emerson Vale', chamber: 'house', state: 'FL', district: '29' },
  { id: 'D000006', name: 'Finley Castellanos', chamber: 'senate', state: 'AZ', district: null },
  { id: 'D000007', name: 'Greer Nakamura', chamber: 'house', state: 'CA', district: '53' },
  { id: 'D000008', name: 'Harper Osei', chamber: 'house', state: 'GA', district: '15' },
  { id: 'D000009', name: 'Indigo Barrows', chamber: 'senate', state: 'VT', district: null },
  { id: 'D000010', name: 'Jules Amari', chamber: 'house', state: 'MI', district: '14' },
  { id: 'D000011', name: 'Kendall Prewitt', chamber: 'house', state: 'OH', district: '16' },
  { id: 'D000012', name: 'Logan Reyes-Hart', chamber: 'senate', state: 'NV', district: null },
];

const AMOUNTS = ['$1,001 - $15,000', '$1,001 - $15,000', '$15,001 - $50,000', '$15,001 - $50,000', '$50,001 - $100,000', '$100,001 - $250,000', '$250,001 - $500,000', '$1,000,001 - $5,000,000'];
const OWNERS: Owner[] = ['self', 'spouse', 'joint', 'self', 'dependent'];
const TYPES: TxType[] = ['purchase', 'purchase', 'sale', 'partial-sale', 'purchase', 'exchange'];

/** A number in [0, 1) from a string: the demo's only source of chance. */
function unit(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;
}

const memberRef = (m: (typeof DEMO_MEMBERS)[number]): MemberRef => ({ key: `demo:${m.id}`, name: m.name, chamber: m.chamber, state: m.state, district: m.district, bioguide: m.id });
const compact = (d: IsoDate) => d.replace(/-/g, '');

/** The filings of one day (0–3), with their rows, and an amendment of a filing made ten business days before. */
export function demoFilingsOn(day: IsoDate): Array<{ ref: FilingRef; rows: ParsedRow[] }> {
  if (!isTradingDay(day)) return [];
  const out = baseFilingsOn(day);
  // The amendment: that filing's row 0 again, its amount corrected (20 % of filings are amended).
  const original = baseFilingsOn(tenBusinessDaysBefore(day)).find((f) => f.rows.length > 0 && unit(`amend|${f.ref.docId}`) < 0.2);
  if (original) {
    const row0 = original.rows[0]!;
    out.push({
      ref: { ...original.ref, docId: `${original.ref.docId}A`, filedOn: day, url: `${original.ref.url}A`, amendment: true },
      rows: [{ ...row0, row: 0, amount: parseAmount('$15,001 - $50,000')!, status: 'amended', description: 'Amended: amount corrected (synthetic).' }],
    });
  }
  return out;
}

function baseFilingsOn(day: IsoDate): Array<{ ref: FilingRef; rows: ParsedRow[] }> {
  const symbols = loadUniverse().map((u) => u.symbol).filter((s) => s !== 'SPX');
  const n = Math.floor(unit(`n|${day}`) * 3.2);
  const out: Array<{ ref: FilingRef; rows: ParsedRow[] }> = [];
  for (let i = 0; i < n; i++) {
    const seed = `${day}|${i}`;
    const m = DEMO_MEMBERS[Math.floor(unit(`m|${seed}`) * DEMO_MEMBERS.length)]!;
    const docId = `D${compact(day)}${i}`;
    const paper = unit(`paper|${seed}`) < 0.1;
    const late = unit(`late|${seed}`) < 0.15;
    const count = paper ? 0 : 1 + Math.floor(unit(`rows|${seed}`) * 4);
    const rows: ParsedRow[] = [];
    for (let r = 0; r < count; r++) {
      const rs = `${seed}|${r}`;
      const lag = late ? 46 + Math.floor(unit(`lag|${rs}`) * 120) : 3 + Math.floor(unit(`lag|${rs}`) * 40);
      const ticker = symbols[Math.floor(unit(`t|${rs}`) * symbols.length)] ?? 'AAPL';
      const bond = unit(`bond|${rs}`) < 0.05;
      const option = !bond && unit(`opt|${rs}`) < 0.06;
      const amountText = AMOUNTS[Math.floor(unit(`a|${rs}`) * AMOUNTS.length)]!;
      rows.push({
        row: r, rowId: r === 0 ? `20${compact(day).slice(2)}${i}0` : null, owner: OWNERS[Math.floor(unit(`o|${rs}`) * OWNERS.length)]!,
        asset: bond ? 'US Treasury Note 4.25% 2031 (91282CGJ4)' : `${ticker} common stock (synthetic) (${ticker})`, ticker: bond ? null : ticker, cusip: bond ? '91282CGJ4' : null,
        assetType: bond ? 'GS' : option ? 'OP' : 'ST', type: TYPES[Math.floor(unit(`y|${rs}`) * TYPES.length)]!, transactionDate: tradingDayOnOrBefore(addDays(day, -lag)), notificationDate: addDays(day, -Math.min(lag, 2)),
        amount: parseAmount(amountText)!, option, status: 'new', description: option ? `Purchased 20 call options with a strike price of $${100 + Math.floor(unit(`k|${rs}`) * 300)} (synthetic).` : null, capGainsOver200: null,
      });
    }
    // Two identical tranches in one filing: separate trades, never folded.
    if (rows.length >= 2 && unit(`twin|${seed}`) < 0.3) rows.push({ ...rows[rows.length - 1]!, row: rows.length, rowId: null });
    out.push({ ref: { chamber: m.chamber, docId, member: memberRef(m), filedOn: day, url: `https://example.invalid/signaldesk-demo/${docId}`, paper, amendment: false, synthetic: true }, rows });
  }
  return out;
}

function tenBusinessDaysBefore(day: IsoDate): IsoDate {
  let d = day;
  for (let k = 0; k < 10; ) {
    d = addDays(d, -1);
    if (isTradingDay(d)) k++;
  }
  return d;
}

export class DemoCongressSource implements CongressSource {
  readonly id = 'demo';
  readonly chamber = 'both' as const;
  async list(since: IsoDate, now: Date): Promise<{ filings: FilingRef[]; requests: number; unchanged: boolean }> {
    const today = DateTime.fromJSDate(now, { zone: 'America/New_York' }).toISODate()! as IsoDate;
    const filings: FilingRef[] = [];
    // Filed through the day before the run's New York day (the Clerk's index is built overnight): nothing from the future.
    for (let d = since; d < today; d = addDays(d, 1)) filings.push(...demoFilingsOn(d).map((f) => f.ref));
    return { filings, requests: 0, unchanged: false };
  }

  async read(ref: FilingRef): Promise<ParsedFiling> {
    const f = demoFilingsOn(ref.filedOn).find((x) => x.ref.docId === ref.docId);
    if (!f) return { ref, parsed: false, reason: 'not a demo filing', rows: [], warnings: [] };
    if (ref.paper) return { ref, parsed: false, reason: 'a paper filing (a scan, no text layer) — synthetic', rows: [], warnings: [] };
    return { ref, parsed: true, reason: null, rows: f.rows, warnings: [] };
  }
}
