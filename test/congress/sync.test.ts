import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { checkCongressSources, syncCongress } from '../../src/congress/congress-service.js';
import { followCongress, memberView, recentView } from '../../src/congress/congress-views.js';
import { CongressFiling, CongressTrade } from '../../src/db/models/congress.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { readState } from '../../src/info/info-store.js';
import { infoHandlers } from '../../src/cli/handlers/info-handlers.js';
import { clearCollections, testEnv, useTestDatabase } from '../helpers/db.js';
import { useReplayServer } from '../helpers/use-replay-server.js';
import { zipOf } from '../helpers/zip.js';

useTestDatabase('congress-sync');
const server = useReplayServer();
const fx = (p: string) => readFileSync(new URL(`../fixtures/congress/${p}`, import.meta.url));
const HOUSE_PTRS = ['20017980', '20013811', '20016766', '20022132', '8217326'];
const without = (docId: string) => Buffer.from(fx('house/2021FD.xml').toString('utf8').replace(new RegExp(`<Member>(?:(?!</Member>)[\\s\\S])*?<DocID>${docId}</DocID>\\s*</Member>`), ''), 'utf8');

function official(extra: Record<string, string> = {}) {
  return testEnv({ CONGRESS_PROVIDER: 'official', HOUSE_DISCLOSURE_URL: server.url, SENATE_EFD_URL: `${server.url}/senate`, CONGRESS_CALLS_PER_MIN: '6000', ...extra });
}
function pdfRoutes() {
  for (const id of HOUSE_PTRS) server.on('GET', `/public_disc/ptr-pdfs/2021/${id}.pdf`, { bytes: fx(`house/${id}.pdf`), headers: { 'content-type': 'application/pdf' } });
}

describe('congress-sync against the replayed House Clerk and Senate eFD', () => {
  test('a first sync stores the index\'s PTRs silently (the paper one as filed, not parsed); an unchanged index is one 304', async () => {
    await clearCollections();
    server.on('GET', '/public_disc/financial-pdfs/2021FD.zip',
      { bytes: zipOf({ '2021FD.xml': fx('house/2021FD.xml') }), headers: { etag: '"idx-1"', 'content-type': 'application/x-zip-compressed' } },
      { status: 304, text: '' });
    pdfRoutes();
    server.on('GET', '/senate/search/home/', { status: 403, fixture: '../congress/senate/access-denied.html', headers: { 'content-type': 'text/html' } });
    const env = official();
    const now = new Date('2021-01-12T15:00:00Z');
    const r = await syncCongress(env, now);
    assert.equal(r.newFilings, 5);
    assert.equal(r.parsed, 4);
    assert.deepEqual(r.notParsed.map((n) => n.docId), ['8217326']);
    assert.match(r.notParsed[0]!.reason, /paper filing/);
    assert.equal(r.transactions, 57 + 3 + 1 + 1);
    assert.equal(r.posts + r.dms, 0, 'the first sync alerts nobody');
    assert.equal(await Outbox.countDocuments({}), 0);
    const senate = r.sources.find((s) => s.source === 'senate')!;
    assert.equal(senate.ok, false);
    assert.match(senate.detail, /refused this host \(HTTP 403/);
    assert.equal(((await readState<{ ok: boolean }>('congress-source:senate'))!).ok, false, '/health sees the Senate unavailable');
    assert.equal(await CongressTrade.countDocuments({}), 62);
    const paper = await CongressFiling.findById('house:8217326').lean();
    assert.deepEqual([paper?.parsed, paper?.paper], [false, true]);

    const again = await syncCongress(env, new Date('2021-01-12T17:00:00Z'));
    const house = again.sources.find((s) => s.source === 'house')!;
    assert.deepEqual([house.requests, house.unchanged, again.newFilings], [1, true, 0]);
    assert.equal(server.requestsTo('/public_disc/financial-pdfs/2021FD.zip').at(-1)!.headers['if-none-match'], '"idx-1"', 'asked conditionally');
    assert.equal(server.requestsTo(/\.pdf$/).length, 5, 'no PDF fetched twice');

    const recent = await recentView({ days: 10, until: '2021-01-12' });
    assert.equal(recent.trades.length, 62);
    assert.deepEqual(recent.unparsed.map((u) => [u.docId, u.parsed]), [['8217326', false]]);
    const lee = await memberView('Susie Lee', '2021-01-12');
    assert.equal(lee.trades.length, 57);
    const lags = (await CongressTrade.find({ docId: '20017980' }).lean()).map((t) => (Date.parse('2021-01-11') - Date.parse(t.transactionDate)) / 86_400_000).sort((a, b) => a - b);
    assert.equal(lee.medianLagDays, lags[28], 'the median of the 57 lags from trade to disclosure');
    assert.equal(lee.late, 0);

    // The CLI twin's handler (what `congress recent --json` prints): one list, the transactions and the filing not parsed.
    const { data } = await infoHandlers.congress!(undefined as never, ['recent'], { json: true, force: false, days: '10', date: '2021-01-12' });
    const rows = JSON.parse(JSON.stringify(data)) as Array<Record<string, unknown>>;
    assert.equal(rows.filter((r) => r.parsed === true).length, 62);
    assert.deepEqual(rows.filter((r) => r.parsed === false).map((r) => r.docId), ['8217326']);
    const tsla = rows.find((r) => r.ticker === 'TSLA')!;
    assert.deepEqual([tsla.docId, tsla.owner, tsla.type, tsla.transactionDate, tsla.notificationDate, tsla.amount], ['20022132', 'dependent', 'sale', '2022-12-05', '2022-12-05', '$1,001 - $15,000']);
  });

  test('a filing newly in the index: one channel post with its rows, one DM per matching follower, none for others', async () => {
    await clearCollections();
    server.on('GET', '/public_disc/financial-pdfs/2021FD.zip',
      { bytes: zipOf({ '2021FD.xml': without('20022132') }), headers: { etag: '"idx-1"' } },
      { bytes: zipOf({ '2021FD.xml': fx('house/2021FD.xml') }), headers: { etag: '"idx-2"' } });
    pdfRoutes();
    server.on('GET', '/senate/search/home/', { status: 403, fixture: '../congress/senate/access-denied.html' });
    const env = official();
    await syncCongress(env, new Date('2021-01-12T15:00:00Z'));
    await followCongress('300000000000000001', 'ticker', 'tsla');
    await followCongress('300000000000000002', 'amount', '10000');
    await followCongress('300000000000000003', 'member', 'Susie Lee');
    const r = await syncCongress(env, new Date('2021-01-12T17:00:00Z'));
    assert.deepEqual([r.newFilings, r.transactions, r.posts, r.dms], [1, 1, 1, 2]);
    const channel = await Outbox.findOne({ idempotencyKey: 'congress:filing:house:20022132' }).lean();
    const text = JSON.stringify(channel?.post);
    for (const want of ['Aderholt', 'SELL TSLA', '$1,001 - $15,000', 'dependent child', 'traded 2022-12-05', 'disclosed 2021-01-11', '20022132']) assert.ok(text.includes(want), `the post says ${want}: ${text}`);
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^congress:dm:300000000000000001:/ }), 1);
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^congress:dm:300000000000000002:/ }), 1);
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^congress:dm:300000000000000003:/ }), 0, 'Lee filed nothing new');
    const rerun = await syncCongress(env, new Date('2021-01-12T19:00:00Z'));
    assert.equal(rerun.newFilings, 0);
    assert.equal(await Outbox.countDocuments({}), 3, 'nothing posted twice');
  });

  test('the Senate when it answers: terms accepted with the CSRF token, PTRs searched and read, the paper one listed, identical rows kept', async () => {
    await clearCollections();
    server.on('GET', '/public_disc/financial-pdfs/2021FD.zip', { status: 404, text: 'Not Found' });
    server.on('GET', '/senate/search/home/', { fixture: '../congress/senate/home.html', headers: { 'content-type': 'text/html', 'set-cookie': 'csrftoken=ck-123; Path=/' } });
    server.on('POST', '/senate/search/home/', { status: 302, text: '', headers: { location: '/search/', 'set-cookie': 'sessionid=sess-9; Path=/; HttpOnly' } });
    server.on('POST', '/senate/search/report/data/', { fixture: '../congress/senate/search-ptrs.json' });
    server.on('GET', '/senate/search/view/ptr/19dc5bc2-296b-459f-89c4-778307ee9556/', { fixture: '../congress/senate/ptr-19dc5bc2.html', headers: { 'content-type': 'text/html' } });
    server.on('GET', '/senate/search/view/ptr/32274587-17b3-4a09-ade9-99b7dc0436ba/', { fixture: '../congress/senate/ptr-32274587.html', headers: { 'content-type': 'text/html' } });
    const r = await syncCongress(official(), new Date('2021-08-13T15:00:00Z'));
    assert.equal(r.sources.find((s) => s.source === 'senate')!.ok, true);
    assert.deepEqual([r.newFilings, r.parsed, r.transactions], [3, 2, 4]);
    assert.match(r.notParsed[0]!.reason, /paper/);
    const search = server.requestsTo('/senate/search/report/data/')[0]!;
    assert.equal(search.headers['x-csrftoken'], 'ck-123');
    assert.match(String(search.headers.cookie), /sessionid=sess-9/);
    assert.equal(server.requestsTo(/\/senate\/search\/view\/paper\//).length, 0, 'a paper filing is not fetched');
    assert.equal(await CongressTrade.countDocuments({ ticker: 'MSFT' }), 2, 'two identical rows, two trades');
    // A second sync reuses the session: one search request, no terms page.
    const homeBefore = server.requestsTo('/senate/search/home/').length;
    await syncCongress(official(), new Date('2021-08-13T17:00:00Z'));
    assert.equal(server.requestsTo('/senate/search/home/').length, homeBefore);
  });

  test('Quiver: one keyed request, rows grouped into filings; congress-api-health says which source is down', async () => {
    await clearCollections();
    server.on('GET', '/beta/live/congresstrading', { fixture: '../congress/quiver/live-congresstrading.json' });
    const env = testEnv({ CONGRESS_PROVIDER: 'quiver', QUIVER_API_KEY: 'qk-secret-0123456789', QUIVER_BASE_URL: server.url, CONGRESS_API_KEY: 'cg-secret-42', CONGRESS_API_URL: server.url });
    const r = await syncCongress(env, new Date('2026-07-30T15:00:00Z'));
    assert.equal(server.requestsTo('/beta/live/congresstrading')[0]!.headers.authorization, 'Bearer qk-secret-0123456789');
    assert.deepEqual([r.newFilings, r.transactions], [1, 2], 'the first sync stores what is in the window (the late Fetterman report is older than it)');
    server.on('GET', '/v3/member', { status: 403, json: { error: { code: 'API_KEY_INVALID', message: 'An invalid api_key was supplied.' } } });
    const checks = await checkCongressSources(env, new Date('2026-07-30T15:10:00Z'));
    assert.deepEqual(checks.map((c) => [c.source, c.ok]), [['quiver', true], ['congress-gov', false]]);
    assert.match(checks[1]!.detail, /HTTP 403.*key was refused/);
    assert.equal(server.requestsTo('/v3/member')[0]!.headers['x-api-key'], 'cg-secret-42');
    assert.ok(!JSON.stringify(checks).includes('cg-secret-42') && !JSON.stringify(r).includes('qk-secret'), 'no key in what is reported');
  });
});
