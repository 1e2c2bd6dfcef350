import type { IsoDate } from '../calendar/dates.js';
import { SeriesContractDoc } from '../db/models/series-contract.js';
import { meetsPolicy, type SeriesContract } from './provider.js';

/** A series' stored contract (series_contracts). */
export interface StoredContract extends SeriesContract {
  policyMet: boolean;
  since: IsoDate;
}

/** "polygon consolidated split-adjusted", "alphavantage consolidated unadjusted via SPY": for posts and /health. */
export function describeContract(c: SeriesContract): string {
  const adj = c.adjustment === 'split' ? 'split-adjusted' : 'unadjusted';
  const via = c.source ? (c.proxy ? ` via ${c.source} (proxy)` : ` as ${c.source}`) : '';
  return `${c.provider} ${c.feed} ${adj}${via}`;
}

/**
 * Whether bars offered under `offered` may join a series stored under `stored` (pure). Another provider
 * is fine when it serves the same thing; a different feed (IEX volume is a few percent of SIP's), a
 * different adjustment, or a different instrument (the index against its proxy ETF) would mix two
 * series into one and is refused with the reason.
 */
export function judgeContract(stored: SeriesContract | undefined, offered: SeriesContract): { ok: true } | { ok: false; reason: string } {
  if (!stored) return { ok: true };
  const diffs: string[] = [];
  if (stored.feed !== offered.feed) diffs.push(`feed ${stored.feed} ≠ ${offered.feed}`);
  if (stored.adjustment !== offered.adjustment) diffs.push(`${stored.adjustment === 'split' ? 'split-adjusted' : 'unadjusted'} ≠ ${offered.adjustment === 'split' ? 'split-adjusted' : 'unadjusted'}`);
  if ((stored.source ?? '') !== (offered.source ?? '')) diffs.push(`instrument ${stored.source ?? 'itself'} ≠ ${offered.source ?? 'itself'}`);
  return diffs.length ? { ok: false, reason: `the stored series is ${describeContract(stored)}; ${offered.provider} offers ${describeContract(offered)} (${diffs.join(', ')})` } : { ok: true };
}

type ContractRow = { provider: string; feed: string; adjustment: string; policyMet: boolean; since: string; source?: string | null; proxy?: boolean | null; depthDays?: number | null };

/** A stored row as a contract (absent optional fields left out). */
function toContract(d: ContractRow): StoredContract {
  return {
    provider: d.provider, feed: d.feed, adjustment: d.adjustment as SeriesContract['adjustment'], policyMet: d.policyMet, since: d.since,
    ...(d.source ? { source: d.source } : {}), ...(d.proxy ? { proxy: true } : {}), ...(d.depthDays ? { depthDays: d.depthDays } : {}),
  };
}

export async function readContracts(symbols: string[]): Promise<Map<string, StoredContract>> {
  const docs = await SeriesContractDoc.find({ _id: { $in: symbols } }).lean();
  return new Map(docs.map((d) => [d._id, toContract(d)]));
}

/** Record the contract of series filled for the first time (or refilled after a split), by `_id`. */
export async function writeContract(symbol: string, c: SeriesContract, since: IsoDate, now = new Date()): Promise<void> {
  await SeriesContractDoc.replaceOne(
    { _id: symbol },
    { _id: symbol, provider: c.provider, feed: c.feed, adjustment: c.adjustment, source: c.source, proxy: c.proxy, depthDays: c.depthDays, policyMet: meetsPolicy(c), since, updatedAt: now },
    { upsert: true },
  );
}

/** Keep the last refusal beside the contract (for /health): the series itself is unchanged. */
export async function noteRefusal(symbol: string, date: IsoDate, offered: SeriesContract, reason: string): Promise<void> {
  await SeriesContractDoc.updateOne({ _id: symbol }, { $set: { lastRefusal: { date, offered: describeContract(offered), reason } } });
}

/** What /health says of the stored series: how many meet the policy, and the ones that do not. */
export async function contractHealth(): Promise<{ total: number; policyMet: number; exceptions: string[]; refusals: string[] }> {
  // A row per symbol of the universe: a few hundred, read whole.
  const docs = await SeriesContractDoc.find({}).lean();
  const exceptions = docs.filter((d) => !d.policyMet || d.proxy || d.depthDays).map((d) => `${d._id}: ${describeContract(toContract(d))}${d.depthDays ? `, ${d.depthDays} days deep` : ''}`);
  const refusals = docs.filter((d) => d.lastRefusal?.date).map((d) => `${d._id} ${d.lastRefusal!.date}: ${d.lastRefusal!.reason}`);
  return { total: docs.length, policyMet: docs.filter((d) => d.policyMet).length, exceptions, refusals };
}
