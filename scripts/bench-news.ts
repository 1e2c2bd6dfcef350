// `npm run bench -- --news`: a day of 5,000 articles from a replayed Polygon (the documented ListNews shape, five
// pages of 1,000 chained by next_url) synced on the free plan's limits (5 requests a minute, shared by every
// process). Prints, one per line:
//   news_requests_day     provider requests for the day's news (target ≤ 5: market-wide, not one per symbol)
//   news_ingest_ms        fetched, validated, deduplicated, stored, matched, indexed (target ≤ 2,000)
//   news_resync_ms        the same window again: every article a duplicate
//   news_evening_ms       the evening digest over the day
//   news_view_ms          /news SYMBOL's read (median of 20)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvVars } from '../src/config/env.js';
import { connectDatabase, disconnectDatabase } from '../src/db/connection.js';
import { resolveDatabase } from '../src/db/local-server.js';
import { waitForServerExit } from '../src/db/shared-server.js';
import { eveningDigest } from '../src/info/news-digest.js';
import { newsView, syncNews } from '../src/info/news-service.js';
import { loadUniverse } from '../src/market-data/universe.js';
import { migrateStorage } from '../src/runtime/migrations.js';
import { ReplayServer } from '../test/helpers/replay-server.js';

const line = (name: string, text: string | number) => process.stdout.write(`${name} ${text}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Page `p` of the day's 5,000 articles, in Polygon's documented shape (insights on most, some tickers outside the universe). */
function page(p: number, symbols: string[], origin: string): object {
  const labels = ['positive', 'neutral', 'negative'];
  const results = Array.from({ length: 1_000 }, (_, j) => {
    const i = p * 1_000 + j;
    const tickers = [symbols[(i * 7) % symbols.length]!, ...(i % 3 === 0 ? [symbols[(i * 13) % symbols.length]!] : []), ...(i % 10 === 0 ? ['UBSG', 'OTCQX'] : [])];
    return {
      id: `bench-${i}`, publisher: { name: ['Benzinga', 'Reuters', 'MarketWatch'][i % 3] }, title: `Article ${i} on ${tickers.join(', ')}`, author: 'bench',
      published_utc: new Date(Date.parse('2024-06-25T04:00:00Z') + i * 15_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      article_url: `https://news.example/${i % 4_900}`, tickers, description: 'A benchmark article.',
      ...(i % 4 === 0 ? {} : { insights: tickers.map((t, k) => ({ ticker: t, sentiment: labels[(i + k) % 3], sentiment_reasoning: 'bench' })) }),
    };
  });
  return { status: 'OK', request_id: `p${p}`, count: results.length, results, ...(p < 4 ? { next_url: `${origin}/v2/reference/news?cursor=${p + 1}` } : {}) };
}

export async function benchNews(): Promise<void> {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'signaldesk-news-'));
  const db = await resolveDatabase({ dataDir: dir, preferEmbedded: true, idleGraceMs: 500 });
  const replay = new ReplayServer();
  await replay.start();
  try {
    const symbols = loadUniverse().map((u) => u.symbol);
    const pages = [0, 1, 2, 3, 4].map((p) => ({ json: page(p, symbols, replay.url) }));
    replay.on('GET', '/v2/reference/news', ...pages);
    await connectDatabase(`${db.uri.replace(/\/$/, '')}/news`);
    await migrateStorage();
    const env = parseEnvVars({ LOG_LEVEL: 'silent', NEWS_PROVIDER: 'polygon', POLYGON_API_KEY: 'bench-key-0123456789', POLYGON_BASE_URL: replay.url, POLYGON_CALLS_PER_MIN: '5' });
    const at = new Date('2024-06-25T22:00:00Z');
    let t = performance.now();
    const r = await syncNews(env, at, 'bench');
    const ingest = performance.now() - t;
    line('news_requests_day', `${r.requests} (target ≤ 5; Polygon's free plan: 5 a minute)`);
    line('news_ingest_ms', `${Math.round(ingest)} (${r.fetched} articles on the universe fetched, ${r.stored} stored, ${r.duplicates} duplicates by URL, ${r.indexDocs} index documents; target ≤ 2,000)`);
    replay.reset();
    replay.on('GET', '/v2/reference/news', ...pages);
    t = performance.now();
    const again = await syncNews(env, new Date(at.getTime() + 3_600_000), 'bench-2');
    line('news_resync_ms', `${Math.round(performance.now() - t)} (${again.stored} stored again of ${again.fetched}; ${again.requests} more requests, which wait for the plan's next minute: 5 a minute across every process)`);
    t = performance.now();
    const d = await eveningDigest('2024-06-25', at);
    line('news_evening_ms', `${Math.round(performance.now() - t)} (${d.articles} articles on the day)`);
    const views: number[] = [];
    for (let i = 0; i < 20; i++) {
      t = performance.now();
      await newsView(symbols[i]!, '2024-06-19', '2024-06-25', 25, '2024-06-25');
      views.push(performance.now() - t);
    }
    line('news_view_ms', `${Math.round(median(views))} (median of 20, a week of a name's articles)`);
    await disconnectDatabase();
  } finally {
    await replay.close();
    await db.stop();
    await waitForServerExit(join(dir, 'ferretdb')).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
