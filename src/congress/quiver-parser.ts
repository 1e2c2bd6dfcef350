import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { IsoDate } from '../calendar/dates.js';
import type { FilingRef, MemberRef, ParsedRow, TxType } from './contracts.js';
import { foldName, parseAmount } from './house-parsers.js';

/**
 * Quiver Quantitative's congress trading rows (GET /beta/live/congresstrading, newest first; fields as its
 * reference and clients name them). Rows come without a document id: a filing is (member, chamber, report
 * date), and a row's place is its order among that filing's rows as served.
 */
export const quiverRow = z.object({
  Representative: z.string().min(1),
  BioGuideID: z.string().nullish(),
  ReportDate: z.string().regex(/^\d{4}-\d{2}-\d{2}/),
  TransactionDate: z.string().regex(/^\d{4}-\d{2}-\d{2}/),
  Ticker: z.string().nullish(),
  Transaction: z.string(),
  Range: z.string().nullish(),
  House: z.string().nullish(),
  Amount: z.union([z.string(), z.number()]).nullish(),
  Party: z.string().nullish(),
  Description: z.string().nullish(),
  TickerType: z.string().nullish(),
});
export const quiverPage = z.array(z.unknown());

const QUIVER_TYPE: Array<[RegExp, TxType]> = [[/partial/i, 'partial-sale'], [/^purchase/i, 'purchase'], [/^sale/i, 'sale'], [/^exchange/i, 'exchange']];

export interface QuiverFiling {
  ref: FilingRef;
  rows: ParsedRow[];
}

export function parseQuiverRows(raw: unknown[]): { filings: QuiverFiling[]; problems: string[] } {
  const problems: string[] = [];
  const byFiling = new Map<string, QuiverFiling>();
  raw.forEach((r, i) => {
    const p = quiverRow.safeParse(r);
    if (!p.success) {
      problems.push(`row ${i + 1}: ${p.error.issues[0]?.path.join('.') || '(row)'} ${p.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const x = p.data;
    const type = QUIVER_TYPE.find(([re]) => re.test(x.Transaction))?.[1];
    if (!type) {
      problems.push(`row ${i + 1}: transaction "${x.Transaction}" is not a purchase, sale or exchange`);
      return;
    }
    const chamber = /senate/i.test(x.House ?? '') ? 'senate' : 'house';
    const bioguide = x.BioGuideID?.trim() || null;
    const member: MemberRef = {
      key: bioguide ? `bioguide:${bioguide}` : `${chamber}:${foldName(x.Representative).replace(/ /g, '-')}`, name: x.Representative.trim(), chamber, state: null, district: null, bioguide,
    };
    const filedOn = x.ReportDate.slice(0, 10) as IsoDate;
    const docId = `q-${createHash('sha256').update(`${member.key}|${filedOn}`).digest('hex').slice(0, 16)}`;
    let f = byFiling.get(docId);
    if (!f) {
      f = { ref: { chamber, docId, member, filedOn, url: 'https://www.quiverquant.com/congresstrading/', paper: false, amendment: false, synthetic: false }, rows: [] };
      byFiling.set(docId, f);
    }
    const ticker = x.Ticker && /^[A-Z][A-Z0-9.^-]{0,9}$/.test(x.Ticker.trim().toUpperCase()) ? x.Ticker.trim().toUpperCase() : null;
    const amountText = x.Range ?? (x.Amount != null ? `$${x.Amount}` : '');
    f.rows.push({
      row: f.rows.length, rowId: null, owner: 'self', asset: x.Description?.trim() || ticker || '(not named)', ticker, cusip: null, assetType: x.TickerType ?? null, type,
      transactionDate: x.TransactionDate.slice(0, 10) as IsoDate, notificationDate: null, amount: parseAmount(amountText) ?? { text: amountText, min: null, max: null },
      option: x.TickerType === 'OP' || /option/i.test(x.TickerType ?? ''), status: 'new', description: null, capGainsOver200: null,
    });
  });
  return { filings: [...byFiling.values()], problems };
}
