import type { IsoDate } from '../../calendar/dates.js';
import { ProviderError } from '../../market-data/provider.js';
import type { CongressSource, FilingRef, ParsedFiling } from '../contracts.js';
import { isSenateBlockPage, isSenatePaperPage, parseSenatePtrHtml, parseSenateSearch, senateCsrfToken, senateMember, senateSearchPage } from '../senate-parsers.js';
import type { CongressHttp, CongressResponse } from './congress-http.js';

/** The session a sync keeps (cookies of an accepted agreement), so a quiet sync is one search request. */
export interface SenateSession {
  cookies: Record<string, string>;
}

export interface SenateEfdOptions {
  http: CongressHttp;
  session: { get(): Promise<SenateSession | undefined>; set(s: SenateSession | null): Promise<void> };
}

/** The gate refused us (Akamai's 403 "Access Denied"): the Senate is unavailable from this host, said in /health. */
export class SenateBlockedError extends ProviderError {
  constructor(detail: string) {
    super('senate', 'efd', detail, false, 'plan');
  }
}

const usDay = (d: IsoDate) => `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(0, 4)}`;

/**
 * The Senate's eFD search: accept the terms (the form's CSRF token, then a POST), search PTRs (report type 11)
 * submitted since a day, read each PTR's HTML table. The site is known to refuse non-browser clients from data
 * centres: a refusal is a SenateBlockedError (the sync goes on with the House), never "no trades".
 */
export class SenateEfdSource implements CongressSource {
  readonly id = 'senate';
  readonly chamber = 'senate' as const;
  private cookies: Record<string, string> = {};
  constructor(private readonly o: SenateEfdOptions) {}

  private cookieHeader(): Record<string, string> {
    const c = Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
    return c ? { Cookie: c } : {};
  }

  private take(res: CongressResponse): CongressResponse {
    Object.assign(this.cookies, res.cookies);
    if (res.status === 403 || isSenateBlockPage(res.text().slice(0, 4000))) {
      throw new SenateBlockedError(`efdsearch.senate.gov refused this host (HTTP ${res.status}, "Access Denied"): the site blocks many data-centre and non-browser clients; the House goes on`);
    }
    return res;
  }

  /** Accept the terms: GET the home page for its token, POST the agreement. */
  private async agree(): Promise<number> {
    this.cookies = {};
    const home = this.take(await this.o.http.request('GET', '/search/home/'));
    const token = senateCsrfToken(home.text());
    if (!token) throw new ProviderError('senate', 'efd', 'the terms page has no CSRF token (the site changed?)', false, 'payload');
    const agreed = this.take(await this.o.http.request('POST', '/search/home/', {
      form: { csrfmiddlewaretoken: token, prohibition_agreement: '1' }, headers: { ...this.cookieHeader(), Referer: new URL('/search/home/', this.o.http.baseUrl).toString() },
    }));
    if (agreed.status >= 400) throw new ProviderError('senate', 'efd', `the agreement was refused (HTTP ${agreed.status})`, agreed.status >= 500, 'http');
    await this.o.session.set({ cookies: this.cookies });
    return 2;
  }

  async list(since: IsoDate): Promise<{ filings: FilingRef[]; requests: number; unchanged: boolean }> {
    let requests = 0;
    const kept = await this.o.session.get();
    if (kept?.cookies.sessionid) this.cookies = { ...kept.cookies };
    else requests += await this.agree();
    const filings: FilingRef[] = [];
    for (let start = 0, round = 0; round < 20; round++) {
      const search = async () => {
        requests++;
        return this.take(await this.o.http.request('POST', '/search/report/data/', {
          headers: { ...this.cookieHeader(), Referer: new URL('/search/', this.o.http.baseUrl).toString(), 'X-CSRFToken': this.cookies.csrftoken ?? '', 'X-Requested-With': 'XMLHttpRequest' },
          form: {
            start: String(start), length: '100', report_types: '[11]', filer_types: '[]', submitted_start_date: `${usDay(since)} 00:00:00`, submitted_end_date: '',
            candidate_state: '', senator_state: '', office_id: '', first_name: '', last_name: '', csrfmiddlewaretoken: this.cookies.csrftoken ?? '',
          },
        }));
      };
      let res = await search();
      // An expired session answers the search with a redirect to the terms: agree again, once.
      if ((res.status >= 300 && res.status < 400) || /prohibition_agreement/.test(res.text().slice(0, 20_000))) {
        requests += await this.agree();
        res = await search();
      }
      if (res.status !== 200) throw new ProviderError('senate', 'search', `HTTP ${res.status} from the report search`, res.status >= 500, 'http');
      let json: unknown;
      try {
        json = JSON.parse(res.text());
      } catch {
        throw new ProviderError('senate', 'search', 'the report search did not answer JSON', false, 'payload');
      }
      const page = senateSearchPage.safeParse(json);
      if (!page.success) throw new ProviderError('senate', 'search', `unexpected search payload: ${page.error.issues[0]?.message ?? 'invalid'}`, false, 'payload');
      const { rows } = parseSenateSearch(page.data.data);
      for (const r of rows) {
        filings.push({
          chamber: 'senate', docId: r.uuid, member: senateMember(r.first, r.last), filedOn: r.filedOn, paper: r.paper, amendment: r.amendment, synthetic: false,
          url: new URL(`/search/view/${r.paper ? 'paper' : 'ptr'}/${r.uuid}/`, this.o.http.baseUrl).toString(),
        });
      }
      start += page.data.data.length;
      if (page.data.data.length < 100 || start >= (page.data.recordsFiltered ?? start)) break;
    }
    return { filings, requests, unchanged: false };
  }

  async read(ref: FilingRef): Promise<ParsedFiling> {
    if (ref.paper) return { ref, parsed: false, reason: 'a paper filing (page images, no table)', rows: [], warnings: [] };
    const res = this.take(await this.o.http.request('GET', new URL(ref.url).pathname, { headers: this.cookieHeader() }));
    if (res.status !== 200) throw new ProviderError('senate', 'ptr', `HTTP ${res.status} for report ${ref.docId}`, res.status >= 500, 'http');
    const html = res.text();
    if (isSenatePaperPage(html)) return { ref: { ...ref, paper: true }, parsed: false, reason: 'a paper filing (page images, no table)', rows: [], warnings: [] };
    const p = parseSenatePtrHtml(html);
    if (p.rows.length === 0) return { ref, parsed: false, reason: `no transaction rows read (${p.warnings[0] ?? 'no table'})`, rows: [], warnings: p.warnings };
    return { ref, parsed: true, reason: null, rows: p.rows, warnings: p.warnings };
  }
}
