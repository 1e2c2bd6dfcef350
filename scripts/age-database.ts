import mongoose from 'mongoose';
// A database as a year of our own schedule leaves it (`npm run bench -- --aged` builds one). Written
// through the product's own write paths where they exist (posts queued and delivered by the outbox,
// watchlists by changeWatchlist, run summaries folded by the run store's merge); plain inserts through
// the product's models where a path would need market data we do not load here (run records, leases,
// scans, audit entries, signals, API counters). The volumes are one table, kept in README's bench section.
import type { Collection, Document } from 'mongodb';
import { changeWatchlist, newRuleKey } from '../src/analysis/watchlist-store.js';
import { noteLatestScan } from '../src/analysis/scan-service.js';
import { nativeDb } from '../src/db/connection.js';
import { ApiUsage, apiUsageId } from '../src/db/models/api-usage.js';
import { AuditEntry } from '../src/db/models/audit-entry.js';
import { Confirmation } from '../src/db/models/confirmation.js';
import { DayClaim, IntradaySnapshot } from '../src/db/models/intraday.js';
import { JobRun, jobRunId } from '../src/db/models/job-run.js';
import { Lease } from '../src/db/models/lease.js';
import { ScanResult } from '../src/db/models/scan-result.js';
import { Signal } from '../src/db/models/signal.js';
import { deliverDue, enqueuePosts } from '../src/notify/outbox.js';
import { SinkError, type Sink } from '../src/notify/sinks/sink.js';
import type { JobDefinition } from '../src/scheduler/job-definition.js';
import { parseEnvVars, type Env } from '../src/config/env.js';
import { connectDatabase } from '../src/db/connection.js';
import { migrateStorage } from '../src/runtime/migrations.js';
import { loadJobs } from '../src/scheduler/job-registry.js';
import { noteRuns, type RunRecord } from '../src/scheduler/run-store.js';
import { slotsBetween } from '../src/scheduler/slots.js';
import { loadUniverse } from '../src/market-data/universe.js';

export const AGED_VOLUMES = {
  /** Every scheduled daily job's slots over this many calendar days (NYSE calendar, early closes). */
  historyDays: 365,
  /** Every-minute and every-5-minute jobs: their slots over the retention of slot runs (3 days). */
  slotRunDays: 3,
  /** Lease generations kept by the nightly cleanup (a week). */
  leaseDays: 7,
  /** Posts sent per day over the outbox retention (30 days). */
  postsPerDay: 40,
  sentPostDays: 30,
  deadPosts: 12,
  /** Stored scans per trading day over their retention (180 days). */
  scanDays: 180,
  auditEntries: 2_600,
  /** One portfolio's daily signals (trading days of the year). */
  signals: true,
  members: 400,
  rulesPerMember: 5,
  confirmations: 60,
  /** Intraday snapshots over their retention (14 days, 26 slots a session) and day claims over theirs (2 days). */
  snapshotDays: 14,
  claimDays: 2,
  claimsPerDay: 2_500,
  /** News: articles per trading day over a year (≥ 50,000), each on 1 to 3 names; calendars a year back and five weeks ahead. */
  articlesPerDay: 200,
  newsDays: 365,
  /** Congress disclosures: two years of filings (≥ 20,000 transactions) by 535 members, and members' follow rules. */
  congressDays: 730,
  filingsPerDay: 4,
  rowsPerFiling: 10,
  congressMembers: 535,
  congressFollows: 1_200,
} as const;

const DAY = 86_400_000;

async function insertAll(coll: Collection<Document>, docs: Document[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 1_000) await coll.insertMany(docs.slice(i, i + 1_000), { ordered: false });
}

export interface AgedCounts { [what: string]: number }

/**
 * Connect to `uri`, bring its storage up to date and write the year into it, saying how long it took (the
 * benches' shared first step); returns the environment and jobs used, still connected.
 */
export async function writeAgedDatabase(uri: string): Promise<{ env: Env; jobs: Map<string, JobDefinition>; counts: AgedCounts }> {
  const env = parseEnvVars({ MONGODB_URI: uri, LOG_LEVEL: 'silent' });
  const jobs = await loadJobs(env.SCHEDULE_TIMEZONE);
  await connectDatabase(uri);
  await migrateStorage();
  const t = performance.now();
  const counts = await ageDatabase(jobs);
  process.stdout.write(`# aged database written in ${((performance.now() - t) / 1000).toFixed(1)} s: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
  return { env, jobs, counts };
}

/** Write a year of operation ending at `now` into the connected database. */
export async function ageDatabase(jobs: Map<string, JobDefinition>, now = new Date()): Promise<AgedCounts> {
  const counts: AgedCounts = {};
  const v = AGED_VOLUMES;
  // Runs: every slot each scheduled job had, as its record and its summary.
  const runs: RunRecord[] = [];
  for (const def of jobs.values()) {
    if (!def.schedule) continue;
    const days = def.runKeyEvery === 'tradingDate' ? v.historyDays : v.slotRunDays;
    for (const s of slotsBetween(def, new Date(now.getTime() - days * DAY), new Date(now.getTime() - 60_000), 1_000_000)) {
      const started = new Date(s.dueAt.getTime() + 200);
      const ms = def.runKeyEvery === 'tradingDate' ? 2_000 + (s.dueAt.getTime() % 30_000) : 40;
      const finished = new Date(started.getTime() + ms);
      runs.push({
        job: def.name, runKey: s.runKey, status: 'succeeded', tradingDate: s.date, trigger: 'schedule', attempt: 1, worker: 'aged:1', startedAt: started,
        leaseUntil: finished, finishedAt: finished, durationMs: ms, error: null, dueAt: s.dueAt,
        summary: def.name === 'fetch-market-data' ? { symbols: 529, requests: 1, cacheHitPct: 99.8, stored: 529 } : { ok: true },
      });
    }
  }
  await insertAll(nativeDb().collection(JobRun.collection.collectionName), runs.map((r) => ({ _id: jobRunId(r.job, r.runKey), ...r })));
  await noteRuns(runs, now);
  counts.job_runs = runs.length;

  // Leases: each run's claim over the last week, released.
  const leases = runs.filter((r) => r.startedAt.getTime() > now.getTime() - v.leaseDays * DAY).map((r) => ({
    _id: `run:${r.job}|${r.runKey}#1`, scope: 'run', key: `${r.job}|${r.runKey}`, gen: 1, holder: 'aged:1', until: r.finishedAt!, released: true, createdAt: r.startedAt,
  }));
  await insertAll(nativeDb().collection(Lease.collection.collectionName), leases);
  counts.leases = leases.length;

  // Posts: queued and delivered through the outbox (with their claims), a few refused for good.
  const ok: Sink = { name: 'console', send: async () => ({ sink: 'console' }) };
  for (let d = v.sentPostDays; d >= 1; d--) {
    const at = new Date(now.getTime() - d * DAY);
    await enqueuePosts(Array.from({ length: v.postsPerDay }, (_, i) => ({ key: `aged:${d}:${i}`, post: { kind: i % 4 === 0 ? 'ops' : 'scans', title: `Aged post ${i}`, description: 'A year of operation.' } })), at);
    while ((await deliverDue({ sinkFor: () => ok, limit: 200, now: () => at })).sent > 0) { /* drain the day */ }
  }
  counts.sent_posts = v.sentPostDays * v.postsPerDay;
  const refusing: Sink = { name: 'discord-dm', send: async () => { throw new SinkError('discord-dm: 403 Cannot send messages to this user (50007)', { retryable: false }); } };
  await enqueuePosts(Array.from({ length: v.deadPosts }, (_, i) => ({ key: `aged:dead:${i}`, post: { kind: 'signals' as const, title: 'Watchlist' }, destination: { sink: 'dm' as const, userId: String(i) } })), new Date(now.getTime() - DAY));
  await deliverDue({ sinkFor: () => refusing, limit: 100 });
  counts.dead_posts = v.deadPosts;

  // Stored scans, one per scan and trading day within retention.
  const universe = loadUniverse().map((u) => u.symbol);
  const scanDates = [...new Set(runs.filter((r) => r.job === 'next-day-prep' && r.startedAt.getTime() > now.getTime() - v.scanDays * DAY).map((r) => r.tradingDate!))];
  const scans = ['pre-market-scan', 'opening-scan', 'afternoon-scan', 'closing-scan', 'next-day-prep'];
  const scanDocs = scanDates.flatMap((date, di) => scans.map((scan, si) => ({
    scan, date, dataThrough: date, universe: 529, scanned: 529, skipped: [], durationMs: 600, createdAt: new Date(now.getTime() - (scanDates.length - di) * DAY),
    quality: { flagged: [] },
    results: Object.fromEntries(['oversold', 'overbought', 'new-highs', 'volume-spike', 'golden-cross'].map((c, ci) => [c, Array.from({ length: 10 }, (_, k) => ({ symbol: universe[(di * 31 + si * 7 + ci * 13 + k) % universe.length], value: 10 + k }))])),
  })));
  await ScanResult.insertMany(scanDocs, { ordered: false });
  for (const scan of scans) await noteLatestScan(scan, scanDates[scanDates.length - 1]!);
  counts.scan_results = scanDocs.length;

  // Audit entries: config changes, denials, reruns.
  await AuditEntry.insertMany(Array.from({ length: v.auditEntries }, (_, i) => ({
    at: new Date(now.getTime() - (i * v.historyDays * DAY) / v.auditEntries), actorId: String(1000 + (i % 40)), actorName: `member${i % 40}`, source: i % 3 ? 'discord' : 'cli',
    action: ['/rerun', 'config.set', '/health', 'alerts.route'][i % 4]!, target: 'main', before: { daily_capital: 1000 }, after: { daily_capital: 1000 + i }, result: i % 7 ? 'ok' : 'denied', reason: null,
  })), { ordered: false });
  counts.audit_entries = v.auditEntries;

  // One portfolio's daily signals.
  const signalDates = [...new Set(runs.filter((r) => r.job === 'generate-signal').map((r) => r.tradingDate!))];
  await Signal.insertMany(signalDates.map((d, i) => ({
    portfolio: 'aged', tradeDate: d, configVersion: 1, modelType: 'regime-momentum', action: (['BUY', 'HOLD', 'SELL'] as const)[i % 3], confidenceScore: 0.6,
    allocations: { SPY: 0.5, QQQ: 0.3, DIA: 0.2 }, features: { regime: 0.2, risk: 40 }, dataThrough: d, createdAt: new Date(`${d}T10:00:00Z`),
  })), { ordered: false });
  counts.signals = signalDates.length;

  // API counters: one per provider and day.
  await ApiUsage.insertMany(Array.from({ length: v.historyDays }, (_, i) => {
    const day = new Date(now.getTime() - (i + 1) * DAY).toISOString().slice(0, 10);
    return { _id: apiUsageId('demo', day), provider: 'demo', day, calls: 2, limit: null, updatedAt: new Date(`${day}T21:00:00Z`) };
  }), { ordered: false });
  counts.api_usage = v.historyDays;

  // Members' watchlists, through the store's own change path.
  const kinds = ['rsi-below', 'rsi-above', 'gap-up', 'new-52w-high', 'move-over'] as const;
  const values: Record<string, number | null> = { 'rsi-below': 30, 'rsi-above': 70, 'gap-up': 2, 'move-over': 3 };
  for (let m = 0; m < v.members; m++) {
    const rules = Array.from({ length: v.rulesPerMember }, (_, s) => ({ key: newRuleKey(), id: s + 1, symbol: universe[(m * 7 + s) % universe.length]!, kind: kinds[s % kinds.length]!, value: values[kinds[s % kinds.length]!] ?? null, createdAt: new Date().toISOString() }));
    await changeWatchlist(String(200000000000000000n + BigInt(m)), () => ({ rules, result: undefined }));
  }
  counts.watchlists = v.members;

  await Confirmation.insertMany(Array.from({ length: v.confirmations }, (_, i) => ({
    _id: `aged-${i}`, command: 'config', subcommand: 'set', action: 'config.set', target: 'main', payload: {}, invokerId: String(1000 + i), invokerName: `member${i}`, createdAt: new Date(now.getTime() - i * DAY / 5), expiresAt: new Date(now.getTime() - i * DAY / 5 + 60_000),
  })), { ordered: false });
  counts.confirmations = v.confirmations;

  // Market hours: the snapshots of the retention (26 a session, the universe in each) and the day claims kept.
  const symbols = loadUniverse().map((u) => u.symbol);
  const sessions = [...new Set(Array.from({ length: v.snapshotDays }, (_, i) => new Date(now.getTime() - i * DAY).toISOString().slice(0, 10)))];
  const slots = Array.from({ length: 26 }, (_, k) => { const m = 9 * 60 + 45 + 15 * k; return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`; });
  const columns = Buffer.from(new Float64Array(symbols.length * 7).map((_, i) => 100 + (i % 97)).buffer);
  const snapshots = sessions.flatMap((date) => slots.map((slot) => ({
    _id: `${date}T${slot}`, date, slot, provider: 'polygon', delayed: false, asOf: now.getTime(), symbols, columns, missing: {}, takenAt: now,
  })));
  await insertAll(IntradaySnapshot.collection as unknown as Collection<Document>, snapshots);
  counts.intraday_snapshots = snapshots.length;
  const claims = sessions.slice(0, v.claimDays).flatMap((date) => Array.from({ length: v.claimsPerDay }, (_, i) => ({
    _id: `watch:${100000000000000000n + BigInt(i % v.members)}:r${i}:${date}`, date, slot: slots[i % 26], line: `#${(i % 25) + 1} SPY: price crosses below 100`, at: now,
  })));
  await insertAll(DayClaim.collection as unknown as Collection<Document>, claims);
  counts.day_claims = claims.length;
  Object.assign(counts, await ageInformation(now));
  Object.assign(counts, await ageCongress(now));
  Object.assign(counts, await ageWorldAndBroker(now));
  Object.assign(counts, await ageIdeas(now));
  return counts;
}

/**
 * A year of the information layer through its own write paths: articles stored once and indexed per name and
 * day (storeArticles, indexArticles), the earnings and economic calendars (storeEarnings, storeEconomic).
 */
async function ageInformation(now: Date): Promise<AgedCounts> {
  const v = AGED_VOLUMES;
  const { indexArticles, storeArticles, storeEarnings, storeEconomic } = await import('../src/info/info-store.js');
  const { DemoEarnings } = await import('../src/info/demo-info.js');
  const symbols = loadUniverse().map((u) => u.symbol);
  const labels = ['positive', 'neutral', 'negative'] as const;
  let articles = 0;
  const start = now.getTime() - v.newsDays * DAY;
  // A month at a time (each sync writes the same documents: a name's month, the market's day).
  let month = '';
  let batch: Parameters<typeof storeArticles>[0] = [];
  const flush = async () => {
    const stored = await storeArticles(batch, now);
    await indexArticles(stored.fresh);
    articles += stored.fresh.length;
    batch = [];
  };
  for (let t = start; t < now.getTime(); t += DAY) {
    const date = new Date(t);
    if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
    const day = date.toISOString().slice(0, 10);
    if (day.slice(0, 7) !== month && batch.length) await flush();
    month = day.slice(0, 7);
    batch.push(...Array.from({ length: v.articlesPerDay }, (_, i) => {
      const k = (i * 7919 + t / DAY) % symbols.length;
      const tickers = [...new Set([symbols[Math.floor(k)]!, ...(i % 3 === 0 ? [symbols[Math.floor((k * 31) % symbols.length)]!] : []), ...(i % 5 === 0 ? [symbols[Math.floor((k * 17) % symbols.length)]!] : [])])];
      return {
        key: `aged:${day}:${i}`, provider: 'aged', id: `${day}:${i}`, title: `Aged article ${i} on ${tickers.join(', ')}`, summary: 'A year-old article of the aged bench database.',
        url: `https://aged.invalid/${day}/${i}`, publishedAt: new Date(t + 12 * 3_600_000 + i * 60_000), source: 'aged', tickers,
        sentiment: Object.fromEntries(tickers.map((x, j) => [x, { label: labels[(i + j) % 3]!, reasoning: null, score: null }])), synthetic: true,
      };
    }));
  }
  if (batch.length) await flush();
  const from = new Date(start).toISOString().slice(0, 10);
  const to = new Date(now.getTime() + 35 * DAY).toISOString().slice(0, 10);
  const earnings = await new DemoEarnings().earnings(from, to, new Set(symbols));
  const e = await storeEarnings(earnings.items, from, to, 'aged', now);
  const events = [];
  for (let t = start; t < now.getTime() + 35 * DAY; t += DAY) {
    const d = new Date(t);
    if (d.getUTCDay() === 4) events.push({ date: d.toISOString().slice(0, 10), time: '08:30', name: 'Jobless claims', kind: 'claims' as const, provider: 'aged', note: null, synthetic: true });
  }
  const econDays = await storeEconomic(events, from, to, now);
  return { news_articles: articles, earnings_rows: e.rows, earnings_days: e.days, economic_days: econDays };
}

/**
 * Two years of Congress disclosures through their own write path (storeFiling: transactions, the member / ticker /
 * day index, members, the filing), a paper filing now and then, and members' follow rules.
 */
export async function ageCongress(now: Date): Promise<AgedCounts> {
  const v = AGED_VOLUMES;
  const { storeFilings } = await import('../src/congress/congress-store.js');
  const { parseAmount } = await import('../src/congress/house-parsers.js');
  const { CongressFollow } = await import('../src/db/models/congress.js');
  const symbols = loadUniverse().map((u) => u.symbol).filter((x) => x !== 'SPX');
  const amounts = ['$1,001 - $15,000', '$15,001 - $50,000', '$50,001 - $100,000', '$100,001 - $250,000', '$250,001 - $500,000'];
  const types = ['purchase', 'sale', 'partial-sale', 'purchase', 'exchange'] as const;
  const owners = ['self', 'spouse', 'joint', 'dependent'] as const;
  const member = (i: number) => ({ key: `aged:m${i}`, name: `Aged Member ${i}`, chamber: (i < 435 ? 'house' : 'senate') as 'house' | 'senate', state: 'XX', district: i < 435 ? String(i % 53).padStart(2, '0') : null, bioguide: null });
  let filings = 0;
  let trades = 0;
  let batch: Parameters<typeof storeFilings>[0] = [];
  for (let t = now.getTime() - v.congressDays * DAY; t < now.getTime(); t += DAY) {
    const d = new Date(t);
    if (d.getUTCDay() === 0 || d.getUTCDay() === 6) continue;
    const day = d.toISOString().slice(0, 10);
    // A week of filings a batch, as a sync stores them (each index document read and written once a batch).
    if (d.getUTCDay() === 1 && batch.length) {
      await storeFilings(batch, now);
      batch = [];
    }
    for (let f = 0; f < v.filingsPerDay; f++) {
      const n = filings;
      const m = member((n * 37) % v.congressMembers);
      const paper = n % 25 === 0;
      const rows = paper ? [] : Array.from({ length: v.rowsPerFiling }, (_, r) => {
        const ticker = symbols[(n * 13 + r * 7) % symbols.length]!;
        const lag = 5 + ((n + r) % 60);
        return {
          row: r, rowId: null, owner: owners[(n + r) % owners.length]!, asset: `${ticker} common stock (aged)`, ticker, cusip: null, assetType: 'ST', type: types[(n + r) % types.length]!,
          transactionDate: new Date(t - lag * DAY).toISOString().slice(0, 10), notificationDate: null, amount: parseAmount(amounts[(n + r) % amounts.length]!)!, option: false,
          status: 'new' as const, description: null, capGainsOver200: null,
        };
      });
      batch.push({
        p: {
          ref: { chamber: m.chamber, docId: `aged-${n}`, member: m, filedOn: day, url: `https://aged.invalid/${n}.pdf`, paper, amendment: false, synthetic: true },
          parsed: !paper, reason: paper ? 'a paper filing (a scan, no text layer)' : null, rows, warnings: [],
        },
        source: 'aged', live: false,
      });
      filings++;
      trades += rows.length;
    }
  }
  if (batch.length) await storeFilings(batch, now);
  const follows = Array.from({ length: v.congressFollows }, (_, i) => {
    const userId = String(200000000000000000n + BigInt(i % 400));
    const kind = ['member', 'ticker', 'amount'][i % 3]!;
    const value = kind === 'member' ? `aged:m${i % v.congressMembers}` : kind === 'ticker' ? symbols[i % symbols.length]! : String(50_000 * (1 + (i % 5)));
    return { _id: `${userId}|${kind}|${value}`, userId, kind, value, label: value, createdAt: new Date(now.getTime() - (i % 300) * DAY) };
  });
  await insertAll(nativeDb().collection(CongressFollow.collection.collectionName), follows);
  return { congress_filings: filings, congress_transactions: trades, congress_follows: follows.length };
}

/**
 * A year of world boards (one per trading day, as international-markets stores them) and of a broker portfolio's
 * orders (six a day, each with its day's list in broker_state), so /world and /broker read an aged store.
 */
export async function ageWorldAndBroker(now: Date): Promise<AgedCounts> {
  const { WorldDay } = await import('../src/db/models/world.js');
  const { BrokerOrder, BrokerState } = await import('../src/db/models/broker.js');
  const { loadWorld } = await import('../src/world/world-list.js');
  const { isTradingDay } = await import('../src/calendar/nyse.js');
  const w = loadWorld();
  const days: string[] = [];
  for (let t = now.getTime() - 365 * DAY; t < now.getTime(); t += DAY) {
    const d = new Date(t).toISOString().slice(0, 10);
    if (isTradingDay(d)) days.push(d);
  }
  const boards = days.map((date, i) => ({
    _id: date, at: new Date(`${date}T21:00:00Z`),
    board: {
      date, rows: w.markets.map((m, k) => ({ region: m.region, country: m.country, etf: m.etf, etfPct: ((i * 7 + k * 3) % 41 - 20) / 10, close: 50 + k, currency: m.currency, currencyPct: ((i + k) % 9 - 4) / 10, local: null })),
      regions: [...new Set(w.markets.map((m) => m.region))].map((region, k) => ({ region, pct: ((i + k) % 7 - 3) / 5, markets: 3 })), crypto: [], yields: [], notes: [], notServed: w.notServed, synthetic: true,
    },
  }));
  await insertAll(nativeDb().collection(WorldDay.collection.collectionName), boards);
  const orders: Document[] = [];
  const lists: Document[] = [];
  for (const date of days) {
    const ids: string[] = [];
    for (const [k, symbol] of ['SPY', 'QQQ', 'DIA'].entries()) {
      for (const tif of ['opg', 'day']) {
        const id = `sd-aged-${date}-${symbol}-buy-${tif}-${k}`;
        ids.push(id);
        orders.push({ _id: id, portfolio: 'aged', date, symbol, signalSymbol: null, side: 'buy', timeInForce: tif, qty: tif === 'opg' ? 3 : null, notional: tif === 'day' ? 120.5 : null, signalId: new mongoose.Types.ObjectId(), state: 'done', brokerOrderId: `aged-${id}`, status: 'filled', filledQty: 3, filledAvgPrice: 400, refusal: null, claimedBy: 'aged:1', createdAt: new Date(`${date}T13:15:00Z`), updatedAt: new Date(`${date}T13:40:00Z`) });
      }
    }
    lists.push({ _id: `orders|aged|${date}`, value: ids, at: new Date(`${date}T13:40:00Z`) });
  }
  await insertAll(nativeDb().collection(BrokerOrder.collection.collectionName), orders);
  await insertAll(nativeDb().collection(BrokerState.collection.collectionName), lists);
  return { world_days: boards.length, broker_orders: orders.length };
}


/**
 * A year of entry ideas: three slots a trading day with five ideas each (idea_slots), the scored months
 * (idea_months) and score-ideas' bookmark a month back, so /ideas, the stats and score-ideas read an aged store.
 */
export async function ageIdeas(now: Date): Promise<AgedCounts> {
  const { IdeaMonth, IdeaSlot } = await import('../src/db/models/ideas.js');
  const { writeState } = await import('../src/info/info-store.js');
  const { IDEA_CRITERIA } = await import('../src/ideas/criteria.js');
  const { isTradingDay } = await import('../src/calendar/nyse.js');
  const symbols = loadUniverse().map((u) => u.symbol);
  const slots: Document[] = [];
  const months = new Map<string, Document[]>();
  const days: string[] = [];
  for (let t = now.getTime() - 365 * DAY; t < now.getTime(); t += DAY) {
    const d = new Date(t).toISOString().slice(0, 10);
    if (isTradingDay(d)) days.push(d);
  }
  days.forEach((date, n) => {
    for (const [job, at] of [['pre-market-signals', '09:00'], ['mid-morning-signals', '11:00'], ['late-day-signals', '14:30']] as const) {
      const crits = IDEA_CRITERIA.filter((c) => c.slot === job);
      const ideas = Array.from({ length: 5 }, (_, k) => {
        const symbol = symbols[(n * 17 + k * 31 + at.length * 7) % symbols.length]!;
        const c = crits[k % crits.length]!;
        const entry = 50 + ((n + k) % 200);
        return { id: `${date}|${job}|${symbol}`, date, slot: job, at, symbol, side: 'long', entry, stop: Math.round(entry * 0.96 * 100) / 100, horizon: c.horizon, criterion: c.id, criterionVersion: c.version, configVersion: 1, why: 'aged', facts: { close: entry - 1, atr: 1.2, rsi: 55, squeeze: 0.4 } };
      });
      slots.push({ _id: `${date}|${job}`, date, job, at, basis: { kind: 'previous-close', text: 'aged' }, configVersion: 1, ideasJson: JSON.stringify(ideas), considered: 529, createdAt: new Date(`${date}T14:00:00Z`) });
      for (const [k, i] of ideas.entries()) {
        const r = (((n * 13 + k * 7) % 21) - 10) / 400;
        const triggered = (n + k) % 4 !== 0;
        const outcome = triggered
          ? { state: 'closed', fill: i.entry, exit: r < -0.02 ? { date, price: i.stop, reason: 'stop' } : null, r1: r / 2, r5: r, r20: r, spx1: 0.001, spx5: 0.004, spx20: 0.01, result: i.horizon === 1 ? r / 2 : r, excess: (i.horizon === 1 ? r / 2 : r) - 0.004, final: true, scoredThrough: date }
          : { state: 'not-triggered', fill: null, exit: null, r1: null, r5: null, r20: null, spx1: null, spx5: null, spx20: null, result: null, excess: null, final: true, scoredThrough: date };
        const m = date.slice(0, 7);
        months.set(m, [...(months.get(m) ?? []), { ...i, outcome }]);
      }
    }
  });
  await insertAll(nativeDb().collection(IdeaSlot.collection.collectionName), slots);
  const monthDocs = [...months].map(([m, ideas]) => ({ _id: m, ideasJson: JSON.stringify(ideas), scoredThrough: days[days.length - 1], at: now }));
  await insertAll(nativeDb().collection(IdeaMonth.collection.collectionName), monthDocs);
  await writeState('ideas:final-through', days[Math.max(0, days.length - 22)], now);
  return { idea_slots: slots.length, ideas: slots.length * 5 };
}
