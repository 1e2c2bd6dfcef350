import { DateTime } from 'luxon';
import { addDays, type IsoDate } from '../calendar/dates.js';
import type { Env } from '../config/env.js';
import { CongressFollow } from '../db/models/congress.js';
import { WatchMute } from '../db/models/watch.js';
import { describeError } from '../errors.js';
import { readBars } from '../market-data/bar-store.js';
import { enqueuePosts } from '../notify/outbox.js';
import type { PostInput } from '../notify/post.js';
import { readState, withInfoWriter, writeState } from '../info/info-store.js';
import type { CongressSource, FilingRef, ParsedFiling, SourceState } from './contracts.js';
import { filingId, storedFilings, storeFilings, type TradeEntry } from './congress-store.js';
import { CongressHttp } from './sources/congress-http.js';
import { DemoCongressSource } from './sources/demo.js';
import { HouseClerkSource, type Validators } from './sources/house.js';
import { QuiverSource } from './sources/quiver.js';
import { SenateBlockedError, SenateEfdSource, type SenateSession } from './sources/senate.js';

const ZONE = 'America/New_York';
const nyDay = (d: Date): IsoDate => DateTime.fromJSDate(d, { zone: ZONE }).toISODate()! as IsoDate;
/** At most this many filings read in one sync (a backfill continues in the next). */
const MAX_READS = 250;
/** A filing listed but not readable yet (a PDF not up, a network error) is tried again this many syncs. */
const MAX_TRIES = 6;

/** A government site's (or a keyed provider's) client with this environment's User-Agent, timeout and per-minute share. */
function congressHttp(env: Env, source: string, baseUrl: string, o: { headers?: Record<string, string>; perMinute?: number; timeoutMs?: number; attempts?: number } = {}): CongressHttp {
  return new CongressHttp({
    source, baseUrl, timeoutMs: o.timeoutMs ?? Math.max(env.PROVIDER_TIMEOUT_MS, 20_000), perMinute: o.perMinute ?? env.CONGRESS_CALLS_PER_MIN,
    userAgent: env.CONGRESS_USER_AGENT, headers: o.headers, attempts: o.attempts,
  });
}

/** The sources CONGRESS_PROVIDER names: the demo, the House + the Senate, or Quiver. */
export function congressSources(env: Env): CongressSource[] {
  const http = (source: string, baseUrl: string, headers?: Record<string, string>, perMinute?: number) => congressHttp(env, source, baseUrl, { headers, perMinute });
  switch (env.CONGRESS_PROVIDER) {
    case 'demo':
      return [new DemoCongressSource()];
    case 'quiver':
      return [new QuiverSource(http('quiver', env.QUIVER_BASE_URL, { Authorization: `Bearer ${env.QUIVER_API_KEY ?? ''}`, Accept: 'application/json' }, 10))];
    case 'official':
      return [
        new HouseClerkSource({
          http: http('house-clerk', env.HOUSE_DISCLOSURE_URL),
          validators: {
            get: (year) => readState<Validators & { rows?: FilingRef[] }>(`congress-house-index:${year}`),
            set: (year, v) => writeState(`congress-house-index:${year}`, v),
          },
        }),
        new SenateEfdSource({
          http: http('senate-efd', env.SENATE_EFD_URL),
          session: { get: () => readState<SenateSession>('congress-senate-session'), set: (s) => writeState('congress-senate-session', s) },
        }),
      ];
  }
}

interface Pending {
  ref: FilingRef;
  source: string;
  tries: number;
}

export interface CongressSyncReport {
  provider: string;
  sources: Array<{ source: string; ok: boolean; detail: string; requests: number; listed: number; unchanged: boolean }>;
  newFilings: number;
  parsed: number;
  notParsed: Array<{ docId: string; reason: string }>;
  transactions: number;
  amendmentsFolded: number;
  live: boolean;
  posts: number;
  dms: number;
  pending: number;
  synthetic: boolean;
  /** Where the time went: listing, reading (fetch + parse), storing (under the writer lease), queueing alerts. */
  ms: { list: number; read: number; store: number; alerts: number };
}

/** What the health view and the monitor read: each source's last answer (`_id` lookups of a handful). */
export async function sourceStates(env: Env): Promise<SourceState[]> {
  const ids = [...congressSources(env).map((s) => s.id), ...(env.CONGRESS_API_KEY ? ['congress-gov'] : [])];
  const states = await Promise.all(ids.map((id) => readState<SourceState & { downSince?: string | null }>(`congress-source:${id}`)));
  return states.flatMap((s, i) => (s ? [{ ...s, at: new Date(s.at) }] : [{ source: ids[i]!, ok: true, detail: 'not checked yet', at: new Date(0) }]));
}

async function noteSource(source: string, ok: boolean, detail: string, now: Date): Promise<void> {
  const prev = await readState<{ ok: boolean; downSince?: string | null }>(`congress-source:${source}`);
  const downSince = ok ? null : prev && !prev.ok && prev.downSince ? prev.downSince : now.toISOString();
  await writeState(`congress-source:${source}`, { source, ok, detail: detail.slice(0, 300), at: now.toISOString(), downSince }, now);
}

/**
 * congress-sync: list each source's filings since its last sync (an unchanged House index is one 304), read the
 * new ones (PDF text, HTML table, JSON), and — under the congress writer lease — store them once, fold
 * amendments, index, then post each new filing to the congress channel and DM its followers. A source's first
 * sync (and anything filed before the backfill window) is stored silently: "new" means newly disclosed.
 */
export async function syncCongress(env: Env, now: Date): Promise<CongressSyncReport> {
  const today = nyDay(now);
  const report: CongressSyncReport = { provider: env.CONGRESS_PROVIDER, sources: [], newFilings: 0, parsed: 0, notParsed: [], transactions: 0, amendmentsFolded: 0, live: false, posts: 0, dms: 0, pending: 0, synthetic: env.CONGRESS_PROVIDER === 'demo', ms: { list: 0, read: 0, store: 0, alerts: 0 } };
  const clock = (k: keyof CongressSyncReport['ms'], t0: number) => (report.ms[k] += Math.round(performance.now() - t0));
  const read: Array<{ p: ParsedFiling; source: string; live: boolean }> = [];
  let pending = (await readState<Pending[]>('congress-pending')) ?? [];
  for (const source of congressSources(env)) {
    const seeded = Boolean(await readState<string>(`congress-seeded:${source.id}`));
    const last = await readState<string>(`congress-last:${source.id}`);
    // A week of overlap: the House index lags, filings appear with earlier dates; stored ones are skipped by id.
    const since = seeded && last ? addDays(last < today ? last : today, -7) : addDays(today, -env.CONGRESS_BACKFILL_DAYS);
    let listed: FilingRef[] = [];
    const tList = performance.now();
    try {
      const r = await source.list(since, now);
      listed = r.filings;
      report.sources.push({ source: source.id, ok: true, detail: r.unchanged ? 'unchanged since the last sync' : `${r.filings.length} filing(s) since ${since}`, requests: r.requests, listed: r.filings.length, unchanged: r.unchanged });
      await noteSource(source.id, true, `listed ${r.filings.length} filing(s) since ${since}`, now);
    } catch (err) {
      const detail = err instanceof SenateBlockedError ? err.detail : describeError(err);
      report.sources.push({ source: source.id, ok: false, detail, requests: 0, listed: 0, unchanged: false });
      await noteSource(source.id, false, detail, now);
      clock('list', tList);
      continue;
    }
    clock('list', tList);
    const tRead = performance.now();
    const retry = pending.filter((x) => x.source === source.id);
    const stored = await storedFilings([...listed, ...retry.map((x) => x.ref)].map((f) => filingId(f.chamber, f.docId)));
    const todo = [...new Map([...retry.map((x) => x.ref), ...listed].map((f) => [filingId(f.chamber, f.docId), f])).values()]
      .filter((f) => !stored.has(filingId(f.chamber, f.docId)))
      .sort((a, b) => a.filedOn.localeCompare(b.filedOn) || a.docId.localeCompare(b.docId));
    pending = pending.filter((x) => x.source !== source.id);
    for (const ref of todo.slice(0, MAX_READS)) {
      const tries = (retry.find((x) => x.ref.docId === ref.docId)?.tries ?? 0) + 1;
      let p: ParsedFiling;
      try {
        p = await source.read(ref);
      } catch (err) {
        if (tries < MAX_TRIES) pending.push({ ref, source: source.id, tries });
        else read.push({ p: { ref, parsed: false, reason: `not readable after ${tries} tries: ${describeError(err).slice(0, 120)}`, rows: [], warnings: [] }, source: source.id, live: seeded });
        continue;
      }
      // A PDF not up yet is asked again later; after that it is listed as filed, not parsed.
      if (!p.parsed && /404/.test(p.reason ?? '') && tries < MAX_TRIES) {
        pending.push({ ref, source: source.id, tries });
        continue;
      }
      // Live: the source was seeded before this sync and the filing is recent (not a backfill of old ones).
      read.push({ p, source: source.id, live: seeded && ref.filedOn >= addDays(today, -10) });
    }
    for (const ref of todo.slice(MAX_READS)) pending.push({ ref, source: source.id, tries: 0 });
    clock('read', tRead);
  }
  const tStore = performance.now();

  const alerts = await withInfoWriter('congress', async () => {
    const out: Array<{ p: ParsedFiling; trades: TradeEntry[] }> = [];
    // Already stored by another process while this one read: left out (its alerts are that process's).
    const done = await storedFilings(read.map((x) => filingId(x.p.ref.chamber, x.p.ref.docId)));
    const todo = read.filter((x) => !done.has(filingId(x.p.ref.chamber, x.p.ref.docId)));
    const stored = await storeFilings(todo, now);
    for (const [i, x] of todo.entries()) {
      const s = stored[i]!;
      if (!s.fresh) continue;
      report.newFilings++;
      if (x.p.parsed) report.parsed++;
      else report.notParsed.push({ docId: x.p.ref.docId, reason: x.p.reason ?? 'not parsed' });
      report.transactions += s.trades.filter((t) => !t.amends).length;
      report.amendmentsFolded += s.trades.filter((t) => t.amends).length;
      if (x.live) out.push({ p: x.p, trades: s.trades });
    }
    // Alerts owed by a sync that died after storing: queued now (outbox keys make each once).
    const owed = (await readState<Array<{ p: ParsedFiling; trades: TradeEntry[] }>>('congress-owed')) ?? [];
    const all = [...owed, ...out];
    if (all.length) await writeState('congress-owed', all, now);
    await writeState('congress-pending', pending, now);
    for (const s of report.sources) if (s.ok) {
      await writeState(`congress-seeded:${s.source}`, true, now);
      await writeState(`congress-last:${s.source}`, today, now);
    }
    return all;
  });
  clock('store', tStore);
  const tAlerts = performance.now();
  report.pending = pending.length;
  report.live = alerts.length > 0;
  const queued = await queueAlerts(alerts, now);
  report.posts = queued.posts;
  report.dms = queued.dms;
  await withInfoWriter('congress', () => writeState('congress-owed', [], now));
  clock('alerts', tAlerts);
  return report;
}

// ── Posts ─────────────────────────────────────────────────────────────────────────────────────────────────

const OWNER_LABEL: Record<string, string> = { self: 'self', spouse: 'spouse', joint: 'joint', dependent: 'dependent child' };
const TYPE_LABEL: Record<string, string> = { purchase: 'BUY', sale: 'SELL', 'partial-sale': 'SELL (partial)', exchange: 'EXCHANGE' };

/** The close on (or just after) the trade date and the latest close up to `asOf`, from our bars. */
async function movesSince(trades: TradeEntry[], asOf: IsoDate): Promise<Map<string, string>> {
  const symbols = [...new Set(trades.flatMap((t) => (t.ticker ? [t.ticker] : [])))];
  if (symbols.length === 0) return new Map();
  const from = trades.reduce((m, t) => (t.transactionDate < m ? t.transactionDate : m), asOf);
  const bars = await readBars(symbols, from, asOf);
  const out = new Map<string, string>();
  for (const t of trades) {
    const list = t.ticker ? (bars.get(t.ticker) ?? []) : [];
    const start = list.find((b) => b.date >= t.transactionDate);
    const end = list.at(-1);
    if (!start || !end || end.date <= start.date) continue;
    const pct = ((end.close / start.close) - 1) * 100;
    out.set(t.id, `${t.ticker} ${pct >= 0 ? '+' : ''}${pct.toFixed(1)} % since ${start.date} (close ${start.close.toFixed(2)} → ${end.close.toFixed(2)} on ${end.date})`);
  }
  return out;
}

export function tradeLine(t: TradeEntry, move?: string): string {
  const lag = t.lagDays === null ? 'lag unknown'
    : t.lagDays < 0 ? `${-t.lagDays} d BEFORE the trade date it gives: a date error in the filing?`
      : `${t.lagDays} d after the trade${t.late ? ' — LATE (over 45 days)' : ''}`;
  const what = `${TYPE_LABEL[t.type] ?? t.type}${t.option ? ' (option)' : ''} ${t.ticker ?? t.asset.slice(0, 60)}`;
  return `${what} · ${t.amount || 'amount not read'} · ${OWNER_LABEL[t.owner] ?? t.owner} · traded ${t.transactionDate}, disclosed ${t.filedOn} (${lag})${move ? ` · ${move}` : ''}`;
}

/** Identical rows of one filing (tranches) shown once with their count; order kept. */
function grouped(trades: TradeEntry[]): Array<{ t: TradeEntry; n: number }> {
  const out: Array<{ t: TradeEntry; n: number }> = [];
  const key = (t: TradeEntry) => [t.type, t.ticker ?? t.asset, t.amount, t.owner, t.transactionDate, t.option].join('|');
  for (const t of trades) {
    const same = out.find((g) => key(g.t) === key(t));
    if (same) same.n++;
    else out.push({ t, n: 1 });
  }
  return out;
}

/** The filing's rows summed as filed: "$31,003 – $95,000" (an open top band: "over $X"). */
export function totalAsFiled(rows: ParsedFiling['rows']): string | null {
  if (rows.length < 2 || rows.some((r) => r.amount.min === null)) return null;
  const min = rows.reduce((s, r) => s + r.amount.min!, 0);
  const open = rows.some((r) => r.amount.max === null);
  const max = rows.reduce((s, r) => s + (r.amount.max ?? r.amount.min!), 0);
  const usd = (n: number) => `$${n.toLocaleString('en-US')}`;
  return open ? `over ${usd(min)}` : `${usd(min)} – ${usd(max)}`;
}

export function filingPost(p: ParsedFiling, trades: TradeEntry[], moves: Map<string, string>): PostInput {
  const shown = trades.filter((t) => !t.amends);
  const amended = trades.filter((t) => t.amends);
  const chamber = p.ref.chamber === 'house' ? 'House' : 'Senate';
  const where = p.ref.member.state ? ` (${p.ref.member.state}${p.ref.member.district ? `-${p.ref.member.district}` : ''})` : '';
  const groups = grouped(shown);
  const lines = groups.slice(0, 12).map(({ t, n }) => `• ${n > 1 ? `${n} identical tranches: ` : ''}${tradeLine(t, moves.get(t.id))}`);
  if (groups.length > 12) lines.push(`…and ${shown.length - groups.slice(0, 12).reduce((s, g) => s + g.n, 0)} more: /congress member ${p.ref.member.name}`);
  for (const t of amended.slice(0, 5)) lines.push(`• amends an earlier disclosure (counted once): ${tradeLine(t)}`);
  const shownRows = p.rows.filter((_, i) => !trades[i]?.amends);
  const total = totalAsFiled(shownRows);
  const buys = shown.filter((t) => t.type === 'purchase').length;
  const sells = shown.filter((t) => t.type === 'sale' || t.type === 'partial-sale').length;
  return {
    kind: 'congress',
    title: `${chamber} · ${p.ref.member.name}${where} disclosed ${p.parsed ? `${shown.length} trade(s)` : 'a filing'}`.slice(0, 256),
    description: (p.parsed ? lines.join('\n') : `Filed ${p.ref.filedOn}, not parsed: ${p.reason ?? 'unknown'}. The filing: ${p.ref.url}`).slice(0, 4000),
    fields: [
      ...(p.parsed && shown.length > 1 ? [{ name: 'In all', value: `${buys} buy(s) · ${sells} sale(s)${total ? ` · ${total} as filed (ranges summed)` : ''}`, inline: false }] : []),
      { name: 'Filing', value: `${p.ref.docId} · disclosed ${p.ref.filedOn}${p.ref.amendment ? ' · amendment' : ''} · ${p.ref.url}`.slice(0, 1024) },
    ],
    footer: p.ref.synthetic ? 'synthetic filings of made-up members (demo)' : 'Periodic Transaction Report under the STOCK Act; amounts are the ranges as filed',
    demo: p.ref.synthetic,
  };
}

/** The followers a trade matches: member, ticker, amount (the range's top, or its floor when open-ended, at or above the threshold). */
export function matchesFollow(f: { kind: string; value: string }, t: TradeEntry, amountTop: number | null): boolean {
  if (f.kind === 'member') return f.value === t.memberKey;
  if (f.kind === 'ticker') return f.value === t.ticker;
  if (f.kind === 'amount') return amountTop !== null && amountTop >= Number(f.value);
  return false;
}

async function queueAlerts(alerts: Array<{ p: ParsedFiling; trades: TradeEntry[] }>, now: Date): Promise<{ posts: number; dms: number }> {
  if (alerts.length === 0) return { posts: 0, dms: 0 };
  const follows = await CongressFollow.find({}).lean();
  const users = [...new Set(follows.map((f) => f.userId))];
  const mutes = new Map((await WatchMute.find({ _id: { $in: users } }).lean()).map((m) => [m._id, m.until]));
  const items: Array<{ key: string; post: PostInput; destination?: { sink: 'dm'; userId: string } }> = [];
  let dms = 0;
  for (const a of alerts) {
    const fid = filingId(a.p.ref.chamber, a.p.ref.docId);
    const moves = await movesSince(a.trades, nyDay(now));
    items.push({ key: `congress:filing:${fid}`, post: filingPost(a.p, a.trades, moves) });
    const rowsOf = new Map<string, TradeEntry[]>();
    for (const f of follows) {
      if ((mutes.get(f.userId)?.getTime() ?? 0) > now.getTime()) continue;
      const rows = a.trades.filter((t, i) => !t.amends && matchesFollow(f, t, a.p.rows[i]?.amount.max ?? a.p.rows[i]?.amount.min ?? null));
      if (f.kind === 'member' && !a.p.parsed && f.value === a.p.ref.member.key) rowsOf.set(f.userId, rowsOf.get(f.userId) ?? []);
      if (rows.length) rowsOf.set(f.userId, [...new Map([...(rowsOf.get(f.userId) ?? []), ...rows].map((t) => [t.id, t])).values()]);
    }
    for (const [userId, rows] of rowsOf) {
      const post = filingPost(a.p, rows, moves);
      items.push({
        key: `congress:dm:${userId}:${fid}`, destination: { sink: 'dm', userId },
        post: { ...post, title: `You follow this: ${post.title}`.slice(0, 256), footer: `${post.footer ?? ''} · /congress list shows your rules; /congress unfollow removes one`.slice(0, 2048) },
      });
      dms++;
    }
  }
  const queued = await enqueuePosts(items, now);
  return { posts: Math.min(alerts.length, queued), dms: Math.min(dms, Math.max(0, queued - alerts.length)) };
}

// ── congress-api-health ─────────────────────────────────────────────────────────────────────────────────

export interface SourceCheck {
  source: string;
  ok: boolean;
  detail: string;
  ms: number;
}

/**
 * congress-api-health: are the sources reachable? The House index (a conditional HEAD-like GET: 200 or 304), the
 * Senate's terms page (200 with its form; a 403 is "blocked from this host"), the Congress.gov API
 * (`/v3/member?limit=1` with CONGRESS_API_KEY, as CapitolScope checks it) and Quiver when keyed. One request each.
 */
export async function checkCongressSources(env: Env, now: Date): Promise<SourceCheck[]> {
  const checks: Array<{ source: string; run: () => Promise<string> }> = [];
  // A check asks once, briefly: an outage is what it reports, not something to retry through.
  const http = (source: string, baseUrl: string, headers?: Record<string, string>) => congressHttp(env, source, baseUrl, { headers, timeoutMs: 15_000, attempts: 1 });
  if (env.CONGRESS_PROVIDER === 'demo') checks.push({ source: 'demo', run: async () => 'offline synthetic filings' });
  if (env.CONGRESS_PROVIDER === 'official') {
    checks.push({
      source: 'house',
      run: async () => {
        const kept = await readState<Validators>(`congress-house-index:${now.getUTCFullYear()}`);
        const res = await http('house-clerk', env.HOUSE_DISCLOSURE_URL).request('GET', `/public_disc/financial-pdfs/${now.getUTCFullYear()}FD.zip`, { headers: kept?.etag ? { 'If-None-Match': kept.etag } : kept?.lastModified ? { 'If-Modified-Since': kept.lastModified } : {} });
        if (res.status !== 200 && res.status !== 304) throw new Error(`the index answered HTTP ${res.status}`);
        return res.status === 304 ? 'index unchanged (304)' : `index ${Math.round(res.body.length / 1024)} KB`;
      },
    });
    checks.push({
      source: 'senate',
      run: async () => {
        const res = await http('senate-efd', env.SENATE_EFD_URL).request('GET', '/search/home/');
        const body = res.text();
        if (res.status === 403 || /Access Denied/i.test(body.slice(0, 4000))) throw new Error(`efdsearch.senate.gov refused this host (HTTP ${res.status}): it blocks many data-centre and non-browser clients`);
        if (res.status !== 200 || !/csrfmiddlewaretoken/.test(body)) throw new Error(`the terms page answered HTTP ${res.status}${res.status === 200 ? ' without its form' : ''}`);
        return 'terms page up';
      },
    });
  }
  if (env.CONGRESS_PROVIDER === 'quiver') {
    checks.push({
      source: 'quiver',
      run: async () => {
        const res = await http('quiver', env.QUIVER_BASE_URL, { Authorization: `Bearer ${env.QUIVER_API_KEY ?? ''}` }).request('GET', '/beta/live/congresstrading');
        if (res.status !== 200) throw new Error(`HTTP ${res.status}${res.status === 401 || res.status === 403 ? ' (the key or the plan was refused)' : ''}`);
        return 'answering';
      },
    });
  }
  if (env.CONGRESS_API_KEY) {
    checks.push({
      source: 'congress-gov',
      run: async () => {
        const res = await http('congress-gov', env.CONGRESS_API_URL, { 'X-API-Key': env.CONGRESS_API_KEY!, Accept: 'application/json' }).request('GET', '/v3/member', { params: { limit: 1, format: 'json' } });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}${res.status === 403 ? ' (the api.data.gov key was refused)' : res.status === 429 ? ' (rate limited)' : ''}`);
        const members = (JSON.parse(res.text()) as { members?: unknown[] }).members;
        if (!Array.isArray(members) || members.length === 0) throw new Error('answered without members');
        return 'members answering';
      },
    });
  }
  const out: SourceCheck[] = [];
  for (const c of checks) {
    const t0 = Date.now();
    try {
      const detail = await c.run();
      out.push({ source: c.source, ok: true, detail, ms: Date.now() - t0 });
      await noteSource(c.source, true, detail, now);
    } catch (err) {
      const detail = describeError(err);
      out.push({ source: c.source, ok: false, detail, ms: Date.now() - t0 });
      await noteSource(c.source, false, detail, now);
    }
  }
  return out;
}
