import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { houseMember, parseAmount, parseHouseIndexXml, parseHousePtrText, tickerOf } from '../../src/congress/house-parsers.js';
import { pdfText } from '../../src/congress/pdf-text.js';
import { parseQuiverRows } from '../../src/congress/quiver-parser.js';
import { isSenateBlockPage, isSenatePaperPage, parseSenatePtrHtml, parseSenateSearch, senateCsrfToken } from '../../src/congress/senate-parsers.js';
import { readZip } from '../../src/congress/zip.js';
import { zipOf } from '../helpers/zip.js';

const fx = (p: string) => readFileSync(new URL(`../fixtures/congress/${p}`, import.meta.url));
const ptr = async (docId: string) => parseHousePtrText((await pdfText(fx(`house/${docId}.pdf`))).text);

describe('House Clerk formats', () => {
  test('the yearly index: a ZIP holding the XML with its byte-order mark; PTRs are FilingType P; odd rows survive', () => {
    const zip = zipOf({ '2021FD.xml': fx('house/2021FD.xml'), '2021FD.txt': Buffer.from('Prefix\tLast\n') });
    const files = readZip(zip);
    assert.deepEqual([...files.keys()], ['2021FD.xml', '2021FD.txt']);
    const xml = files.get('2021FD.xml')!.toString('utf8');
    assert.equal(xml.charCodeAt(0), 0xfeff, 'the BOM is there');
    const rows = parseHouseIndexXml(xml);
    assert.equal(rows.length, 8);
    assert.deepEqual(rows.filter((r) => r.filingType === 'P').map((r) => r.docId), ['20017980', '20013811', '20016766', '20022132', '8217326']);
    const w = rows.find((r) => r.filingType === 'W')!;
    assert.equal(w.docId, '7940');
    assert.equal(w.filedOn, null, 'an empty FilingDate is no date');
    const lee = rows.find((r) => r.docId === '20017980')!;
    assert.equal(lee.filedOn, '2021-01-11');
    assert.deepEqual(houseMember(lee), { key: 'house:lee-susie:NV03', name: 'Susie Lee', chamber: 'house', state: 'NV', district: '03', bioguide: null });
    assert.throws(() => parseHouseIndexXml('<html>maintenance</html>'), /not the House disclosure index/);
    assert.throws(() => readZip(Buffer.from('not a zip')), /not a ZIP archive/);
  });

  test('an e-filed PTR of 7 pages: 57 rows, wrapped asset names, JT, partial sales, cap-gains boxes, small-caps tickers', async () => {
    const r = await ptr('20017980');
    assert.equal(r.name, 'Susie Lee');
    assert.equal(r.stateDst, 'NV03');
    assert.deepEqual(r.warnings, []);
    assert.equal(r.rows.length, 57);
    const count = (t: string) => r.rows.filter((x) => x.type === t).length;
    assert.deepEqual([count('purchase'), count('partial-sale'), count('sale')], [37, 12, 8]);
    assert.ok(r.rows.every((x) => x.owner === 'joint'));
    const aci = r.rows[0]!;
    assert.equal(aci.ticker, 'ACI');
    assert.equal(aci.asset, 'Albertsons Companies, Inc. Class A (ACI)');
    assert.equal(aci.transactionDate, '2020-12-16');
    assert.equal(aci.notificationDate, '2021-01-01');
    assert.deepEqual(aci.amount, { text: '$1,001 - $15,000', min: 1001, max: 15000 });
    assert.equal(r.rows.find((x) => x.asset.startsWith('CoStar'))!.ticker, 'CSGP', 'small caps "(CSgP)" read as CSGP');
    assert.equal(r.rows.filter((x) => x.capGainsOver200 === true).length, 12);
    assert.equal(r.rows.filter((x) => x.ticker === 'ZBH').length, 3, 'three tranches of one name are three trades');
  });

  test('amounts wrapped onto the next line, an exchange, a row with no ticker, descriptions kept', async () => {
    const r = await ptr('20013811');
    assert.equal(r.rows.length, 3);
    assert.deepEqual(r.rows.map((x) => [x.type, x.ticker, x.amount.text]), [
      ['exchange', 'FBSI', '$15,001 - $50,000'], ['sale', 'FBSI', '$15,001 - $50,000'], ['sale', null, '$50,001 - $100,000'],
    ]);
    assert.equal(r.rows[2]!.assetType, 'PS');
    assert.match(r.rows[0]!.description!, /1,285 shares/);
    assert.deepEqual(r.warnings, []);
  });

  test('labels as NUL runs (2022+): the row and its status are still read; a bond without a ticker; a scan is no text', async () => {
    const nul = await ptr('20022132');
    assert.deepEqual(nul.rows.map((x) => [x.owner, x.ticker, x.type, x.transactionDate, x.amount.text, x.status, x.capGainsOver200]), [['dependent', 'TSLA', 'sale', '2022-12-05', '$1,001 - $15,000', 'new', null]]);
    assert.equal(nul.signedOn, '2022-12-13');
    const bond = await ptr('20016766');
    assert.deepEqual(bond.rows.map((x) => [x.owner, x.ticker, x.assetType, x.type]), [['spouse', null, 'CS', 'sale']]);
    const scan = await ptr('8217326');
    assert.equal(scan.chars, 0);
    assert.equal(scan.rows.length, 0);
  });

  test('text as other filings give it: an option (Pelosi style), a CUSIP, an amended row, glued dates, open-ended amounts', () => {
    const text = [
      'Name: Hon. Nancy Pelosi', 'State/District: CA11', 'ID Owner Asset Transaction', 'Type', 'Date Notification', 'Date', 'Amount Cap.', 'Gains >', '$200?',
      'SP Intel Corporation - Common Stock', '(INTC) [OP]', 'P 07/24/2026 07/24/2026 $250,001 -', '$500,000', 'F S: New',
      'D: Purchased 50 call options with a strike price of $50 and an expiration date of 6/17/27.',
      '2003456789 US Treasury Note 4.25% (91282CGJ4) [GS] S 07/28/202508/11/2025$1,001 - $15,000', 'F\u0000\u0000\u0000\u0000\u0000 S\u0000\u0000\u0000\u0000\u0000: Amended',
      'JT Berkshire Hathaway Inc. Class B (BRK/B) [ST] P 07/01/2026 07/02/2026 Over $50,000,000',
      '* For the complete list of asset type abbreviations, please visit https://fd.house.gov/reference/asset-type-codes.aspx.',
    ].join('\n');
    const r = parseHousePtrText(text);
    assert.deepEqual(r.warnings, []);
    assert.equal(r.rows.length, 3);
    const [opt, note, brk] = r.rows as [NonNullable<(typeof r.rows)[0]>, NonNullable<(typeof r.rows)[0]>, NonNullable<(typeof r.rows)[0]>];
    assert.deepEqual([opt.ticker, opt.option, opt.owner, opt.amount.text], ['INTC', true, 'spouse', '$250,001 - $500,000']);
    assert.match(opt.description!, /call options/);
    assert.deepEqual([note.ticker, note.cusip, note.rowId, note.status, note.transactionDate, note.notificationDate], [null, '91282CGJ4', '2003456789', 'amended', '2025-07-28', '2025-08-11']);
    assert.deepEqual([brk.ticker, brk.amount], ['BRK.B', { text: 'Over $50,000,000', min: 50_000_000, max: null }]);
    assert.deepEqual(parseAmount('Spouse/DC Over $1,000,000'), { text: 'Spouse/DC Over $1,000,000', min: 1_000_000, max: null });
    assert.deepEqual(parseAmount('$15.00'), { text: '$15.00', min: 15, max: 15 });
    assert.equal(parseAmount('lots'), null);
    assert.deepEqual(tickerOf('Some Fund (Owner: SP) (ABCD)'), { ticker: 'ABCD', cusip: null });
  });
});

describe('Senate eFD formats', () => {
  test('the terms token, the gate\'s refusal page, the search rows (amendment, paper), a PTR table, a paper page', () => {
    assert.equal(senateCsrfToken(fx('senate/home.html').toString()), 'fTk3Yb9cQm2XwL7pZr4sV8nD1hJ6gE0aU5oI');
    assert.equal(isSenateBlockPage(fx('senate/access-denied.html').toString()), true);
    assert.equal(isSenateBlockPage(fx('senate/home.html').toString()), false);
    const search = JSON.parse(fx('senate/search-ptrs.json').toString()) as { data: unknown[][] };
    const { rows, problems } = parseSenateSearch([...search.data, ['x', 'y', 'z', 'no link here', 'n/a']]);
    assert.equal(problems.length, 1);
    assert.deepEqual(rows.map((r) => [r.uuid.slice(0, 8), r.paper, r.amendment, r.filedOn]), [['19dc5bc2', false, false, '2021-08-11'], ['32274587', false, true, '2021-08-12'], ['a076a6f8', true, false, '2021-08-12']]);
    const hoeven = parseSenatePtrHtml(fx('senate/ptr-19dc5bc2.html').toString());
    assert.equal(hoeven.expected, 1);
    assert.deepEqual(hoeven.rows.map((r) => [r.owner, r.ticker, r.type, r.transactionDate, r.amount.min, r.amount.max]), [['self', null, 'sale', '2021-07-23', 5_000_001, 25_000_000]]);
    assert.equal(hoeven.filedOn, '2021-08-11');
    const carper = parseSenatePtrHtml(fx('senate/ptr-32274587.html').toString());
    assert.deepEqual(carper.warnings, []);
    assert.deepEqual(carper.rows.map((r) => [r.owner, r.ticker, r.type, r.option]), [['spouse', 'FL4.SG', 'exchange', false], ['joint', 'MSFT', 'purchase', true], ['joint', 'MSFT', 'purchase', true]]);
    assert.equal(isSenatePaperPage(fx('senate/paper-a076a6f8.html').toString()), true);
    assert.equal(isSenatePaperPage(fx('senate/ptr-19dc5bc2.html').toString()), false);
  });
});

describe('Quiver rows', () => {
  test('grouped into filings by member and report date; identical rows stay two; a bad row is named and skipped', () => {
    const { filings, problems } = parseQuiverRows(JSON.parse(fx('quiver/live-congresstrading.json').toString()) as unknown[]);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /row 5/);
    assert.equal(filings.length, 2);
    const pelosi = filings.find((f) => f.ref.member.bioguide === 'P000197')!;
    assert.deepEqual(pelosi.rows.map((r) => [r.ticker, r.type, r.option]), [['INTC', 'purchase', true], ['NVDA', 'partial-sale', false]]);
    const fetterman = filings.find((f) => f.ref.member.bioguide === 'F000479')!;
    assert.equal(fetterman.ref.chamber, 'senate');
    assert.equal(fetterman.rows.length, 2, 'two identical tranches');
    assert.notEqual(pelosi.ref.docId, fetterman.ref.docId);
  });
});
