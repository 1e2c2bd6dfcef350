import type { IsoDate } from '../calendar/dates.js';
import type { AmountRange, MemberRef, Owner, ParsedRow, TxType } from './contracts.js';

/**
 * The House Clerk's formats, parsed without I/O: the yearly index (XML, a byte-order mark first) and the
 * text layer of an electronically filed Periodic Transaction Report (as pdf.js extracts it: items joined, a
 * line per EOL; form labels as NUL runs since 2022, case-mangled small caps before).
 */

export interface HouseIndexRow {
  docId: string;
  filingType: string;
  prefix: string;
  first: string;
  last: string;
  suffix: string;
  stateDst: string;
  year: number;
  filedOn: IsoDate | null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1]?.toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? m;
  });

/** "7/20/2020" or "07/20/2020" → "2020-07-20"; anything else → null. */
export function usDate(s: string | undefined | null): IsoDate | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(s ?? '');
  if (!m) return null;
  const [mo, d, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1990 || y > 2100) return null;
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCMonth() !== mo - 1) return null;
  return dt.toISOString().slice(0, 10) as IsoDate;
}

/** Every `<Member>` of the index (all filing types; the caller keeps `P`). A BOM or stray whitespace is fine. */
export function parseHouseIndexXml(text: string): HouseIndexRow[] {
  const body = text.replace(/^\uFEFF/, '');
  if (!/<FinancialDisclosure[\s>]/.test(body)) throw new Error('not the House disclosure index (no <FinancialDisclosure> element)');
  const rows: HouseIndexRow[] = [];
  for (const m of body.matchAll(/<Member>([\s\S]*?)<\/Member>/g)) {
    const field = (name: string): string => {
      const f = new RegExp(`<${name}\\s*/>|<${name}>([\\s\\S]*?)</${name}>`).exec(m[1]!);
      return f?.[1] ? unescapeXml(f[1]).trim() : '';
    };
    const docId = field('DocID');
    if (!docId) continue;
    rows.push({
      docId, filingType: field('FilingType').toUpperCase(), prefix: field('Prefix'), first: field('First'), last: field('Last'), suffix: field('Suffix'),
      stateDst: field('StateDst').toUpperCase(), year: Number(field('Year')) || 0, filedOn: usDate(field('FilingDate')),
    });
  }
  return rows;
}

/** A name folded for matching: lower case, accents and punctuation gone, single spaces. */
export const foldName = (s: string): string =>
  s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').replace(/\s+/g, ' ').trim();

/**
 * A House member from an index row: key "house:<last>-<first name>:<STATE><DD>" (the index has no bioguide id;
 * name + state/district is what stays the same from filing to filing). Titles and stray marks are dropped.
 */
export function houseMember(r: Pick<HouseIndexRow, 'first' | 'last' | 'stateDst' | 'prefix' | 'suffix'>): MemberRef {
  const last = foldName(r.last.replace(/,.*$/, '')).replace(/ /g, '-');
  const firstTok = foldName(r.first.replace(/\b(mr|mrs|ms|dr|hon)\b\.?/gi, '')).split(' ')[0] ?? '';
  const sd = /^([A-Z]{2})(\d{1,2})?$/.exec(r.stateDst);
  const state = sd?.[1] ?? null;
  const district = sd?.[2] ? sd[2].padStart(2, '0') : null;
  const clean = (s: string) => s.replace(/^[^\p{L}]+|[^\p{L}.]+$/gu, '').trim();
  const name = [clean(r.first), clean(r.last.replace(/,.*$/, ''))].filter(Boolean).join(' ');
  return { key: `house:${last}-${firstTok}:${r.stateDst || 'XX'}`, name, chamber: 'house', state, district, bioguide: null };
}

/** The PDF of a House filing: PTRs live under ptr-pdfs, everything else under financial-pdfs. */
export function housePdfPath(year: number, docId: string, filingType = 'P'): string {
  return `/public_disc/${filingType === 'P' ? 'ptr-pdfs' : 'financial-pdfs'}/${year}/${encodeURIComponent(docId)}.pdf`;
}

// ── Amounts, tickers ─────────────────────────────────────────────────────────────────────────────────────

const money = (s: string): number => Number(s.replace(/[$,\s]/g, ''));

/** "$1,001 - $15,000", "Over $50,000,000", "Spouse/DC Over $1,000,000", "$15.00" → a range as filed. */
export function parseAmount(raw: string): AmountRange | null {
  const text = raw.replace(/\s+/g, ' ').trim();
  let m = /^\$([\d,]+(?:\.\d+)?) ?- ?\$([\d,]+(?:\.\d+)?)$/.exec(text);
  if (m) return { text, min: money(m[1]!), max: money(m[2]!) };
  m = /^(?:Spouse\/DC )?Over \$([\d,]+)$/i.exec(text);
  if (m) return { text, min: money(m[1]!), max: null };
  m = /^\$([\d,]+(?:\.\d+)?)$/.exec(text);
  if (m) return { text, min: money(m[1]!), max: money(m[1]!) };
  return null;
}

/** A CUSIP: nine letters and digits with at least one digit and one letter-or-digit check (not a ticker). */
const isCusip = (s: string): boolean => /^[0-9A-Z]{9}$/.test(s) && /\d/.test(s) && /\d/.test(s.slice(0, 3));

/** The ticker of an asset text: the last "(…)" that reads as one (BRK/B → BRK.B); a CUSIP is reported apart. */
export function tickerOf(asset: string): { ticker: string | null; cusip: string | null } {
  const found = [...asset.matchAll(/\(([^()\s]{1,12})\)/g)].map((m) => m[1]!.toUpperCase().replace('/', '.'));
  for (let i = found.length - 1; i >= 0; i--) {
    const t = found[i]!;
    if (isCusip(t)) return { ticker: null, cusip: t };
    if (/^[A-Z][A-Z0-9.^-]{0,9}$/.test(t) && !/^OWNER/.test(t)) return { ticker: t, cusip: null };
  }
  return { ticker: null, cusip: null };
}

// ── The PTR text layer ───────────────────────────────────────────────────────────────────────────────────

export interface HousePtrText {
  name: string | null;
  stateDst: string | null;
  signedOn: IsoDate | null;
  rows: ParsedRow[];
  warnings: string[];
  /** Characters of text: a scan has none. */
  chars: number;
}

const TYPE: Record<string, TxType> = { P: 'purchase', S: 'sale', 'S (partial)': 'partial-sale', E: 'exchange' };
const OWNER: Record<string, Owner> = { SP: 'spouse', JT: 'joint', DC: 'dependent' };
const DATE = String.raw`(\d{2}/\d{2}/\d{4})`;
/** A row's tail: type, two dates (glued or spaced), the amount (maybe cut at " -"), the cap-gains glyph run. */
const ROW = new RegExp(String.raw`^(?:(\d{10})\s+)?(?:(SP|JT|DC)\s+)?(.*?)\s+(S \(partial\)|P|S|E)\s+${DATE}\s*${DATE}\s*(.*)$`);
const AMOUNT_HEAD = /^((?:Spouse\/DC )?Over \$[\d,]+|\$[\d,]+(?:\.\d+)? ?- ?\$[\d,]+(?:\.\d+)?|\$[\d,]+ ?-(?= |$)|\$[\d,]+(?:\.\d+)?)\s*(.*)$/;
const GLYPHS = /\s*g f e d c( b)?\s*$/;
/** Form labels that annotate the row above, whatever their rendering ("F S:", "F ILINg S TATUS :", "FILING STATUS:"). */
const LABELS: Record<string, 'status' | 'subholding' | 'description' | 'location' | 'comments'> = {
  FILINGSTATUS: 'status', FS: 'status', SUBHOLDINGOF: 'subholding', SO: 'subholding', DESCRIPTION: 'description', D: 'description',
  LOCATION: 'location', L: 'location', COMMENTS: 'comments', C: 'comments',
};

function labelOf(line: string): { label: (typeof LABELS)[string]; value: string } | null {
  const m = /^([A-Za-z\u0000 ]{1,40}?)\s*:\s*(.*)$/.exec(line);
  if (!m) return null;
  const raw = m[1]!;
  // NUL rendering keeps each word's first letter: "F\0\0\0\0\0 S\0\0\0\0\0" → "FS".
  const key = raw.includes('\u0000') ? raw.split(/\s+/).map((w) => w[0] ?? '').join('').toUpperCase() : raw.replace(/\s+/g, '').toUpperCase();
  const label = LABELS[key];
  return label ? { label, value: m[2]!.replace(/\u0000/g, '').trim() } : null;
}

const isoFromUs = (s: string): IsoDate => usDate(s)!;

/** Lines that are the form's furniture: the column header (repeated after a page break), page marks. */
function isFurniture(line: string): boolean {
  const l = line.replace(/\u0000/g, '').replace(/\s+/g, ' ').trim();
  return l === '' || /^Filing ID #\d+$/i.test(l) || /^ID Owner ?Asset ?Transaction$/i.test(l) || /^(Type|Date|Gains >|\$200\?)$/i.test(l)
    || /^Date Notification$/i.test(l) || /^Amount Cap\.$/i.test(l) || /^Clerk of the House/i.test(l);
}

/**
 * The transactions of an e-filed PTR's text. Rows wrap (asset names before "(TICKER) [TYPE]", amounts after
 * "$15,001 -"); label lines below a row annotate it (status, subholding, description). The count of rows is
 * checked against the date pairs in the text: a mismatch is a warning, never a silent drop.
 */
export function parseHousePtrText(text: string): HousePtrText {
  const chars = text.replace(/\s+/g, '').length;
  const lines = text.split(/\r?\n/).map((l) => l.replace(/\s+$/, ''));
  const value = (re: RegExp) => {
    for (const l of lines) {
      const m = re.exec(l.replace(/\u0000/g, ''));
      if (m) return m[1]!.trim();
    }
    return null;
  };
  const name = value(/^\s*name:\s+(.+)$/i)?.replace(/^Hon\.?\s+/i, '') ?? null;
  const stateDst = value(/^\s*State\/District:\s+([A-Z]{2}\d{0,2})\s*$/i)?.toUpperCase() ?? null;
  const signed = value(/^\s*Digitally Signed:\s+.*,\s*(\d{2}\/\d{2}\/\d{4})\s*$/i);
  // The table: after the header's "$200?" (or, glyph-less, after the header's last word) up to the footnote.
  let start = lines.findIndex((l) => /^\s*\$200\?\s*$/.test(l));
  if (start < 0) start = lines.findIndex((l) => /^\s*Amount\s+Cap\.?\s*$/i.test(l));
  let end = lines.findIndex((l, i) => i > start && /^\s*\* For the complete list of asset type/i.test(l));
  if (end < 0) end = lines.findIndex((l, i) => i > start && /Digitally Signed:/i.test(l));
  const table = start >= 0 ? lines.slice(start + 1, end < 0 ? lines.length : end) : [];
  const rows: ParsedRow[] = [];
  const warnings: string[] = [];
  let buffer: string[] = [];
  let pendingAmount: { row: ParsedRow; low: string } | null = null;
  let last: ParsedRow | null = null;
  let lastLabel: keyof ParsedRow | null = null;
  for (const rawLine of table) {
    if (isFurniture(rawLine)) continue;
    const line = rawLine.replace(/\u0000/g, '').replace(/\s+/g, ' ').trim();
    if (pendingAmount) {
      const m = /^(\$[\d,]+(?:\.\d+)?)(.*)$/.exec(line);
      if (m) {
        const amount = parseAmount(`${pendingAmount.low} ${m[1]}`);
        if (amount) pendingAmount.row.amount = amount;
        const glyph = GLYPHS.exec(m[2]!);
        if (glyph) pendingAmount.row.capGainsOver200 = Boolean(glyph[1]);
        pendingAmount = null;
        continue;
      }
      warnings.push(`row ${pendingAmount.row.row + 1}: amount "${pendingAmount.low}" has no upper bound`);
      pendingAmount = null;
    }
    const label = labelOf(rawLine);
    if (label && last) {
      if (label.label === 'status') last.status = /amend/i.test(label.value) ? 'amended' : /delet/i.test(label.value) ? 'deleted' : 'new';
      else if (label.label === 'description') {
        last.description = label.value;
        if (/\b(call|put)s?\b.*\boptions?\b|\boptions?\b.*\bstrike\b/i.test(label.value)) last.option = true;
      }
      lastLabel = label.label === 'description' ? 'description' : null;
      continue;
    }
    const joined = [...buffer, line].join(' ');
    const m = ROW.exec(joined);
    if (!m) {
      // A description wraps onto a line of its own: it belongs to the row above while no new row has started.
      if (lastLabel === 'description' && last && buffer.length === 0 && !/\[[A-Z]{2}\]/.test(line) && !/^(SP|JT|DC)\s/.test(line)) {
        last.description = `${last.description ?? ''} ${line}`.trim();
        continue;
      }
      buffer.push(line);
      continue;
    }
    lastLabel = null;
    buffer = [];
    const asset = m[3]!.replace(/\u0000/g, '').trim();
    const typeCode = /\[([A-Z]{2})\]\s*$/.exec(asset)?.[1] ?? /\[([A-Z]{2})\]/.exec(asset)?.[1] ?? null;
    const { ticker, cusip } = tickerOf(asset);
    const tail = m[7]!.replace(/\u0000/g, '');
    const am = AMOUNT_HEAD.exec(tail);
    const row: ParsedRow = {
      row: rows.length, rowId: m[1] ?? null, owner: OWNER[m[2] ?? ''] ?? 'self', asset: asset.replace(/\s*\[[A-Z]{2}\]\s*$/, '').trim(), ticker, cusip,
      assetType: typeCode, type: TYPE[m[4]!]!, transactionDate: isoFromUs(m[5]!), notificationDate: usDate(m[6]!), amount: { text: '', min: null, max: null },
      option: typeCode === 'OP', status: 'new', description: null, capGainsOver200: null,
    };
    if (!usDate(m[5]!)) {
      warnings.push(`row ${rows.length + 1}: transaction date "${m[5]}" is not a date; row skipped`);
      continue;
    }
    if (am) {
      const rest = am[2] ?? '';
      const glyph = GLYPHS.exec(` ${rest}`);
      if (glyph) row.capGainsOver200 = Boolean(glyph[1]);
      if (/-$/.test(am[1]!)) pendingAmount = { row, low: am[1]! };
      else row.amount = parseAmount(am[1]!) ?? { text: am[1]!, min: null, max: null };
    } else {
      warnings.push(`row ${rows.length + 1}: no amount read from "${tail.slice(0, 40)}"`);
    }
    rows.push(row);
    last = row;
  }
  if (buffer.length) warnings.push(`text left over after the last row: "${buffer.join(' ').slice(0, 60)}"`);
  const pairs = (table.join('\n').replace(/\u0000/g, '').match(new RegExp(`${DATE}\\s*${DATE}`, 'g')) ?? []).length;
  if (pairs !== rows.length) warnings.push(`${pairs} date pairs in the table but ${rows.length} rows read`);
  return { name, stateDst, signedOn: signed ? usDate(signed) : null, rows, warnings, chars };
}
