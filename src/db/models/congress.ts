import { Schema, model } from 'mongoose';

/**
 * Congress trade disclosures (src/congress). Every frequent read is an `_id` lookup: a filing by
 * "<chamber>:<docId>", a transaction by "<chamber>:<docId>:<row>", the index by "m|<member>|<year>",
 * "t|<TICKER>|<year>", "d|<date>" (a disclosure day) and "r|<rowId>" (the House's amendment row id). Filings and
 * transactions are unique inserts; index and member documents have one writer at a time (the congress
 * writer lease). Members and follows are small collections (hundreds of documents).
 */
const filingSchema = new Schema(
  {
    _id: { type: String, required: true },
    chamber: { type: String, required: true },
    docId: { type: String, required: true },
    source: { type: String, required: true },
    memberKey: { type: String, required: true },
    memberName: { type: String, required: true },
    filedOn: { type: String, required: true },
    url: { type: String, required: true },
    paper: { type: Boolean, default: false },
    parsed: { type: Boolean, required: true },
    reason: { type: String, default: null },
    rows: { type: Number, default: 0 },
    warnings: { type: [String], default: [] },
    /** Seen while the source was followed live (alerted), or in a first sync / backfill (alerted nobody). */
    live: { type: Boolean, required: true },
    synthetic: { type: Boolean, default: false },
    storedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
export const CongressFiling = model('CongressFiling', filingSchema, 'congress_filings');

const tradeSchema = new Schema(
  {
    _id: { type: String, required: true },
    chamber: { type: String, required: true },
    docId: { type: String, required: true },
    row: { type: Number, required: true },
    rowId: { type: String, default: null },
    memberKey: { type: String, required: true },
    memberName: { type: String, required: true },
    owner: { type: String, required: true },
    asset: { type: String, required: true },
    ticker: { type: String, default: null },
    cusip: { type: String, default: null },
    assetType: { type: String, default: null },
    type: { type: String, required: true },
    transactionDate: { type: String, required: true },
    notificationDate: { type: String, default: null },
    filedOn: { type: String, required: true },
    amount: { type: Schema.Types.Mixed, required: true },
    option: { type: Boolean, default: false },
    status: { type: String, default: 'new' },
    description: { type: String, default: null },
    /** Days from the trade to its first disclosure; null when the first disclosure is not known. */
    lagDays: { type: Number, default: null },
    late: { type: Boolean, default: null },
    /** An amending (or deleting) row: the transaction it restates. Not a trade of its own. */
    amends: { type: String, default: null },
    synthetic: { type: Boolean, default: false },
  },
  { versionKey: false },
);
export const CongressTrade = model('CongressTrade', tradeSchema, 'congress_trades');

const indexSchema = new Schema(
  { _id: { type: String, required: true }, entries: { type: [Schema.Types.Mixed], default: [] } },
  { versionKey: false, minimize: false },
);
export const CongressIndex = model('CongressIndex', indexSchema, 'congress_index');

const memberSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    chamber: { type: String, required: true },
    state: { type: String, default: null },
    district: { type: String, default: null },
    bioguide: { type: String, default: null },
    filings: { type: Number, default: 0 },
    lastFiledOn: { type: String, default: null },
    synthetic: { type: Boolean, default: false },
  },
  { versionKey: false },
);
export const CongressMember = model('CongressMember', memberSchema, 'congress_members');

/** A member's alert rule: "<userId>|<kind>|<value>" (kind member, ticker or amount). */
const followSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    kind: { type: String, required: true },
    value: { type: String, required: true },
    label: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
export const CongressFollow = model('CongressFollow', followSchema, 'congress_follows');
