import type { IsoDate } from '../../calendar/dates.js';
import { ProviderError } from '../../market-data/provider.js';
import type { CongressSource, FilingRef, ParsedFiling } from '../contracts.js';
import { houseMember, housePdfPath, parseHouseIndexXml, parseHousePtrText } from '../house-parsers.js';
import { looksLikePdf, pdfText } from '../pdf-text.js';
import { readZip } from '../zip.js';
import type { CongressHttp } from './congress-http.js';

/** What a conditional request remembers between syncs (stored by the caller). */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface HouseClerkOptions {
  http: CongressHttp;
  /** Read and write a year's index validators (ETag / Last-Modified) and its P rows, so a 304 costs nothing. */
  validators: { get(year: number): Promise<(Validators & { rows?: FilingRef[] }) | undefined>; set(year: number, v: Validators & { rows: FilingRef[] }): Promise<void> };
  /** Text extraction (pdf.js); tests and benches may count calls. */
  extract?: (data: Uint8Array) => Promise<{ text: string }>;
}

/**
 * The House Clerk, free and keyless: the yearly index ZIP ({YEAR}FD.zip → {YEAR}FD.xml, BOM first) asked with
 * If-None-Match / If-Modified-Since (an unchanged index is a 304: one request, nothing parsed), its PTR rows
 * (FilingType P), and each PTR's PDF: e-filed ones have a text layer, paper ones are scans — "filed, not parsed".
 * In January the previous year's index is read too (late filings for the year that ended).
 */
export class HouseClerkSource implements CongressSource {
  readonly id = 'house';
  readonly chamber = 'house' as const;
  constructor(private readonly o: HouseClerkOptions) {}

  async list(since: IsoDate, now: Date): Promise<{ filings: FilingRef[]; requests: number; unchanged: boolean }> {
    const year = now.getUTCFullYear();
    // Last year's index too while the window reaches into it (early January: late filings for December).
    const years = since.slice(0, 4) < String(year) ? [year - 1, year] : [year];
    const filings: FilingRef[] = [];
    let requests = 0;
    let unchanged = true;
    for (const y of years) {
      const kept = await this.o.validators.get(y);
      const headers: Record<string, string> = {};
      if (kept?.etag) headers['If-None-Match'] = kept.etag;
      if (kept?.lastModified) headers['If-Modified-Since'] = kept.lastModified;
      const res = await this.o.http.request('GET', `/public_disc/financial-pdfs/${y}FD.zip`, { headers });
      requests++;
      if (res.status === 304 && kept?.rows) {
        filings.push(...kept.rows.filter((f) => f.filedOn >= since));
        continue;
      }
      if (res.status === 404) continue; // a year not opened yet (1 January)
      if (res.status !== 200) throw new ProviderError('house', 'index', `HTTP ${res.status} for ${y}FD.zip`, res.status >= 500, res.status === 403 ? 'plan' : 'http');
      unchanged = false;
      const files = readZip(res.body);
      const xml = [...files.entries()].find(([n]) => n.toLowerCase().endsWith('.xml'))?.[1];
      if (!xml) throw new ProviderError('house', 'index', `${y}FD.zip holds no XML index (files: ${[...files.keys()].join(', ') || 'none'})`, false, 'payload');
      const rows = parseHouseIndexXml(xml.toString('utf8')).filter((r) => r.filingType === 'P' && r.filedOn);
      const refs: FilingRef[] = rows.map((r) => ({
        chamber: 'house', docId: r.docId, member: houseMember(r), filedOn: r.filedOn!, url: new URL(housePdfPath(y, r.docId), this.o.http.baseUrl).toString(),
        // Predicted from the DocID (7 digits starting 8/9: paper); the PDF itself decides.
        paper: /^[89]\d{6}$/.test(r.docId), amendment: false, synthetic: false,
      }));
      await this.o.validators.set(y, { etag: res.headers.etag, lastModified: res.headers['last-modified'], rows: refs });
      filings.push(...refs.filter((f) => f.filedOn >= since));
    }
    return { filings, requests, unchanged };
  }

  async read(ref: FilingRef): Promise<ParsedFiling> {
    const res = await this.o.http.request('GET', new URL(ref.url).pathname);
    if (res.status === 404) return { ref, parsed: false, reason: 'the PDF is not on the Clerk\'s site yet (404)', rows: [], warnings: [] };
    if (res.status !== 200) throw new ProviderError('house', 'ptr', `HTTP ${res.status} for ${ref.docId}.pdf`, res.status >= 500, 'http');
    if (!looksLikePdf(res.body)) return { ref, parsed: false, reason: 'the link does not answer a PDF', rows: [], warnings: [] };
    let text: string;
    try {
      text = (await (this.o.extract ?? pdfText)(res.body)).text;
    } catch (err) {
      return { ref, parsed: false, reason: `the PDF could not be read (${(err as Error).message.slice(0, 80)})`, rows: [], warnings: [] };
    }
    const parsed = parseHousePtrText(text);
    if (parsed.chars < 40) return { ref: { ...ref, paper: true }, parsed: false, reason: 'a paper filing (a scan, no text layer)', rows: [], warnings: [] };
    if (parsed.rows.length === 0) return { ref: { ...ref, paper: false }, parsed: false, reason: `no transaction rows read (${parsed.warnings[0] ?? 'unknown layout'})`, rows: [], warnings: parsed.warnings };
    return { ref: { ...ref, paper: false }, parsed: true, reason: null, rows: parsed.rows, warnings: parsed.warnings };
  }
}
