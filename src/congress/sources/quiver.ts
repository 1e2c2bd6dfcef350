import type { IsoDate } from '../../calendar/dates.js';
import { ProviderError } from '../../market-data/provider.js';
import type { CongressSource, FilingRef, ParsedFiling } from '../contracts.js';
import { parseQuiverRows, quiverPage, type QuiverFiling } from '../quiver-parser.js';
import type { CongressHttp } from './congress-http.js';

/**
 * Quiver Quantitative's live congress trading (QUIVER_API_KEY, a Bearer token; in every paid plan): the newest
 * disclosures of both chambers in one request. Rows carry no document: they are grouped into filings by
 * member and report date (quiver-parser.ts), and `read` serves what `list` fetched.
 */
export class QuiverSource implements CongressSource {
  readonly id = 'quiver';
  readonly chamber = 'both' as const;
  private readonly fetched = new Map<string, QuiverFiling>();
  constructor(private readonly http: CongressHttp) {}

  async list(since: IsoDate): Promise<{ filings: FilingRef[]; requests: number; unchanged: boolean }> {
    const res = await this.http.request('GET', '/beta/live/congresstrading');
    if (res.status === 401 || res.status === 403) {
      throw new ProviderError('quiver', 'congresstrading', `HTTP ${res.status}: the key was refused or the plan does not include congress trading (${res.text().slice(0, 120).replace(/\s+/g, ' ')})`, false, 'plan');
    }
    if (res.status === 429) throw new ProviderError('quiver', 'congresstrading', 'HTTP 429: the rate limit of the plan was reached', true, 'throttled');
    if (res.status !== 200) throw new ProviderError('quiver', 'congresstrading', `HTTP ${res.status}`, res.status >= 500, 'http');
    let json: unknown;
    try {
      json = JSON.parse(res.text());
    } catch {
      throw new ProviderError('quiver', 'congresstrading', 'the answer is not JSON', false, 'payload');
    }
    const page = quiverPage.safeParse(json);
    if (!page.success) throw new ProviderError('quiver', 'congresstrading', 'expected a JSON array of trades', false, 'payload');
    const { filings } = parseQuiverRows(page.data);
    for (const f of filings) this.fetched.set(f.ref.docId, f);
    return { filings: filings.map((f) => f.ref).filter((f) => f.filedOn >= since), requests: 1, unchanged: false };
  }

  async read(ref: FilingRef): Promise<ParsedFiling> {
    const f = this.fetched.get(ref.docId);
    if (!f) return { ref, parsed: false, reason: 'not in the last answer of Quiver', rows: [], warnings: [] };
    return { ref, parsed: true, reason: null, rows: f.rows, warnings: [] };
  }
}
