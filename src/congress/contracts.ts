import type { IsoDate } from '../calendar/dates.js';

/**
 * Congress members' trade disclosures (STOCK Act Periodic Transaction Reports): what every source gives,
 * whatever its format. A filing is one report; its rows are transactions keyed (chamber, document, row):
 * identical rows in one filing are separate trades, never folded by content.
 */
export type Chamber = 'house' | 'senate';
export const OWNERS = ['self', 'spouse', 'joint', 'dependent'] as const;
export type Owner = (typeof OWNERS)[number];
export const TX_TYPES = ['purchase', 'sale', 'partial-sale', 'exchange'] as const;
export type TxType = (typeof TX_TYPES)[number];

/** A member as a source names them: `key` is stable (bioguide id where given, else a normalised name + state/district). */
export interface MemberRef {
  key: string;
  name: string;
  chamber: Chamber;
  /** Two-letter state, or null when the source gives none. */
  state: string | null;
  /** House district number ("04"), null for senators or when unknown. */
  district: string | null;
  bioguide: string | null;
}

/** The amount as filed: a range, never a midpoint. `max` null for an open top band ("Over $50,000,000"). */
export interface AmountRange {
  text: string;
  min: number | null;
  max: number | null;
}

export interface ParsedRow {
  /** 0-based position in the filing. */
  row: number;
  /** The House's 10-digit row ID (filled on rows involved in an amendment), else null. */
  rowId: string | null;
  owner: Owner;
  asset: string;
  ticker: string | null;
  /** A CUSIP found where a ticker would be (a bond, a note): kept, never taken for a ticker. */
  cusip: string | null;
  /** The House's two-letter asset type code (ST, OP, CS…) or the Senate's asset type, or null. */
  assetType: string | null;
  type: TxType;
  transactionDate: IsoDate;
  notificationDate: IsoDate | null;
  amount: AmountRange;
  option: boolean;
  /** "new" | "amended" | "deleted" (House's Filing Status), "new" where the source says nothing. */
  status: 'new' | 'amended' | 'deleted';
  description: string | null;
  capGainsOver200: boolean | null;
}

export interface FilingRef {
  chamber: Chamber;
  /** The source's document id (House DocID, Senate report UUID, a keyed provider's id): opaque. */
  docId: string;
  member: MemberRef;
  filedOn: IsoDate;
  url: string;
  /** A paper filing (a scan) or a filing known to have no text layer. */
  paper: boolean;
  /** The Senate marks amendments in the title ("(Amendment 2)"); the House per row. */
  amendment: boolean;
  synthetic: boolean;
}

export interface ParsedFiling {
  ref: FilingRef;
  /** False: filed, not parsed (a scan, a dead link, a document we could not read) — never "no trades". */
  parsed: boolean;
  reason: string | null;
  rows: ParsedRow[];
  /** Problems a parse noticed (a row count that does not match, a row it could not read). */
  warnings: string[];
}

/** A source of disclosures. `list` is cheap (an index, a search); `read` fetches and parses one filing. */
export interface CongressSource {
  readonly id: string;
  readonly chamber: Chamber | 'both';
  /** Filings disclosed from `since` (a New York date) to now. `requests` counts what was asked of the network. */
  list(since: IsoDate, now: Date): Promise<{ filings: FilingRef[]; requests: number; unchanged: boolean }>;
  read(ref: FilingRef): Promise<ParsedFiling>;
}

/** A source that could not be asked (blocked, down): the sync goes on with the others and /health says why. */
export interface SourceState {
  source: string;
  ok: boolean;
  detail: string;
  at: Date;
}
