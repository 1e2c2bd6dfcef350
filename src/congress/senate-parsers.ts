import { z } from 'zod';
import type { IsoDate } from '../calendar/dates.js';
import type { AmountRange, MemberRef, Owner, ParsedRow, TxType } from './contracts.js';
import { foldName, parseAmount, tickerOf, usDate } from './house-parsers.js';

/**
 * The Senate's eFD formats (efdsearch.senate.gov), parsed without I/O: the terms page's CSRF token, the report
 * search's DataTables JSON, a PTR page's table, and the gate's refusal page.
 */

/** The hidden `csrfmiddlewaretoken` of the terms (agreement) form, or null. */
export function senateCsrfToken(html: string): string | null {
  return /name=["']csrfmiddlewaretoken["'][^>]*value=["']([^"']+)["']/.exec(html)?.[1] ?? /value=["']([^"']+)["'][^>]*name=["']csrfmiddlewaretoken["']/.exec(html)?.[1] ?? null;
}

/** Akamai's refusal (403 "Access Denied", "Reference #18.…"): the Senate is unavailable from here, not empty. */
export const isSenateBlockPage = (html: string): boolean => {
  const text = decodeHtml(html);
  return /Access Denied/i.test(text) && /Reference\s*#/i.test(text);
};

export const senateSearchPage = z.object({
  recordsTotal: z.number().optional(),
  recordsFiltered: z.number().optional(),
  result: z.string().optional(),
  data: z.array(z.array(z.unknown())),
});

export interface SenateReportRow {
  uuid: string;
  paper: boolean;
  first: string;
  last: string;
  title: string;
  amendment: boolean;
  filedOn: IsoDate;
}

const stripTags = (s: string): string => decodeHtml(s.replace(/<br\s*\/?>/gi, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
function decodeHtml(s: string): string {
  return s.replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)));
}

/**
 * The search rows: [first, last, "Last, First (Senator)", link, date received]. The layout "has drifted
 * before", so the link and the date are found by their content, not their position.
 */
export function parseSenateSearch(data: unknown[][]): { rows: SenateReportRow[]; problems: string[] } {
  const rows: SenateReportRow[] = [];
  const problems: string[] = [];
  data.forEach((cells, i) => {
    const texts = cells.map((c) => (typeof c === 'string' ? c : ''));
    const link = texts.find((t) => /href=["'][^"']*\/search\/view\/(ptr|paper)\//.test(t));
    const date = texts.map((t) => usDate(stripTags(t))).find((d) => d !== null);
    const m = link ? /href=["'][^"']*\/search\/view\/(ptr|paper)\/([0-9a-fA-F-]{8,})\/?["']/.exec(link) : null;
    if (!m || !date) {
      problems.push(`row ${i + 1}: ${!m ? 'no report link' : 'no date received'}`);
      return;
    }
    const title = stripTags(link!);
    rows.push({ uuid: m[2]!.toLowerCase(), paper: m[1] === 'paper', first: stripTags(texts[0] ?? ''), last: stripTags(texts[1] ?? ''), title, amendment: /\(Amendment\s*\d*\)/i.test(title), filedOn: date });
  });
  return { rows, problems };
}

/** A senator: no bioguide id in eFD, so "senate:<last>-<first name>" (the state is not on the search rows). */
export function senateMember(first: string, last: string): MemberRef {
  const l = foldName(last).replace(/ /g, '-');
  const f = foldName(first).split(' ')[0] ?? '';
  const title = (s: string) => s.toLowerCase().replace(/\b\p{L}/gu, (c) => c.toUpperCase());
  const name = [first, last].map((s) => (s === s.toUpperCase() ? title(s) : s).trim()).filter(Boolean).join(' ');
  return { key: `senate:${l}-${f}`, name, chamber: 'senate', state: null, district: null, bioguide: null };
}

const SENATE_TYPE: Array<[RegExp, TxType]> = [[/^purchase/i, 'purchase'], [/^sale\s*\(partial\)/i, 'partial-sale'], [/^sale/i, 'sale'], [/^exchange/i, 'exchange']];
const SENATE_OWNER: Record<string, Owner> = { self: 'self', spouse: 'spouse', joint: 'joint', 'dependent child': 'dependent', child: 'dependent' };

export interface SenatePtr {
  filer: string | null;
  filedOn: IsoDate | null;
  expected: number | null;
  rows: ParsedRow[];
  warnings: string[];
}

/** A PTR page's table: 9 cells a row (#, date, owner, ticker, asset, asset type, type, amount, comment). */
export function parseSenatePtrHtml(html: string): SenatePtr {
  const warnings: string[] = [];
  const filer = /<h2[^>]*class=["'][^"']*filedReport[^"']*["'][^>]*>([\s\S]*?)<\/h2>/i.exec(html);
  const filed = /Filed\s+(\d{2}\/\d{2}\/\d{4})/.exec(stripTags(html));
  const expected = /\((\d+) transactions? total\)/i.exec(html);
  const tbody = /<tbody[^>]*>([\s\S]*?)<\/tbody>/i.exec(html)?.[1] ?? '';
  const rows: ParsedRow[] = [];
  for (const tr of tbody.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/gi)) {
    const cells = [...tr[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/gi)].map((c) => c[1]!);
    if (cells.length < 8) {
      warnings.push(`a row with ${cells.length} cells (9 expected) skipped`);
      continue;
    }
    const [, dateCell, ownerCell, tickerCell, assetCell, assetTypeCell, typeCell, amountCell, commentCell] = cells;
    const date = usDate(stripTags(dateCell!));
    const typeText = stripTags(typeCell!);
    const type = SENATE_TYPE.find(([re]) => re.test(typeText))?.[1];
    const amount: AmountRange | null = parseAmount(stripTags(amountCell!));
    if (!date || !type) {
      warnings.push(`row ${rows.length + 1}: ${!date ? `date "${stripTags(dateCell!)}"` : `type "${typeText}"`} not read; skipped`);
      continue;
    }
    // An exchange lists two securities (given, received): the first ticker is the one traded away.
    const tickers = [...tickerCell!.matchAll(/>([^<]+)<\/a>/g)].map((m) => m[1]!.trim());
    const tickerText = (tickers[0] ?? stripTags(tickerCell!)).trim().toUpperCase();
    const assetMain = stripTags(assetCell!.replace(/<div[\s\S]*$/i, ''));
    const assetType = stripTags(assetTypeCell!) || null;
    const fromAsset = tickerOf(assetMain);
    const ticker = /^[A-Z][A-Z0-9.^-]{0,9}$/.test(tickerText) && tickerText !== '--' ? tickerText : fromAsset.ticker;
    const comment = stripTags(commentCell ?? '');
    rows.push({
      row: rows.length, rowId: null, owner: SENATE_OWNER[stripTags(ownerCell!).toLowerCase()] ?? 'self', asset: assetMain, ticker, cusip: fromAsset.cusip,
      assetType, type, transactionDate: date, notificationDate: null, amount: amount ?? { text: stripTags(amountCell!), min: null, max: null },
      option: /option/i.test(assetType ?? '') || /Option Type:/i.test(stripTags(assetCell!)), status: 'new', description: comment && comment !== '--' ? comment : null, capGainsOver200: null,
    });
  }
  const exp = expected ? Number(expected[1]) : null;
  if (exp !== null && exp !== rows.length) warnings.push(`the page says ${exp} transactions, ${rows.length} read`);
  return { filer: filer ? stripTags(filer[1]!) : null, filedOn: filed ? usDate(filed[1]!) : null, expected: exp, rows, warnings };
}

/** A paper filing's page: page images from efd-media-public, no table. */
export const isSenatePaperPage = (html: string): boolean => /efd-media-public\.senate\.gov/i.test(html) && !/<tbody/i.test(html);
