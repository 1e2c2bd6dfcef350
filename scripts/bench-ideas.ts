// `npm run bench -- --ideas`: the entry ideas on the demo over the whole universe (529 symbols). Prints, one per line:
//   ideas_slot_ms         one slot's ideas computed (the 11:00 slot: bars, snapshot, news, criteria), median of 5; target ≤ 1,500
//   ideas_score_year_ms   score-ideas over a year of stored ideas (≥ 10,000: the replay's best 40 a session), one run; target ≤ 3,000
//   ideas_backtest_5y_s   backtest --ideas over five years of the universe, bars already stored; target ≤ 60
//   with --aged: ideas_reads_aged_ms — /ideas of a day, of a symbol, and the year's stats on a database aged by a year
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays } from '../src/calendar/dates.js';
import { tradingDaysBetween, previousTradingDay } from '../src/calendar/nyse.js';
import { parseEnvVars } from '../src/config/env.js';
import { connectDatabase, disconnectDatabase } from '../src/db/connection.js';
import { IdeaSetups, IdeaSlot } from '../src/db/models/ideas.js';
import { resolveDatabase } from '../src/db/local-server.js';
import { waitForServerExit } from '../src/db/shared-server.js';
import { IDEA_SLOTS } from '../src/ideas/criteria.js';
import { backtestIdeas, pickPerSlot, symbolCandidates } from '../src/ideas/idea-backtest.js';
import { ideaStatsSince, ideasFor, ideasOn, scoreIdeas } from '../src/ideas/idea-record.js';
import { buildSlot, FINAL_STATE, ideaParams } from '../src/ideas/idea-slots.js';
import { writeState } from '../src/info/info-store.js';
import { streamBars } from '../src/market-data/bar-store.js';
import { ensureHistory } from '../src/market-data/ensure-history.js';
import { providerFor } from '../src/market-data/providers.js';
import { loadUniverse } from '../src/market-data/universe.js';
import { configureLogging } from '../src/runtime/runtime.js';
import { migrateStorage } from '../src/runtime/migrations.js';
import { DEFAULT_PARAMS } from '../src/strategy/config-schema.js';

const line = (name: string, text: string | number) => process.stdout.write(`${name} ${text}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const DATE = '2020-03-17';
const YEAR = { from: '2019-01-02', to: '2019-12-31' };
const FIVE = { from: '2015-01-02', to: '2019-12-31' };

export async function benchIdeas(): Promise<void> {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'signaldesk-ideas-'));
  const db = await resolveDatabase({ dataDir: dir, preferEmbedded: true, idleGraceMs: 500 });
  try {
    const uri = `${db.uri.replace(/\/$/, '')}/ideas`;
    const env = parseEnvVars({ MONGODB_URI: uri, LOG_LEVEL: 'silent' });
    configureLogging(env);
    await connectDatabase(uri);
    await migrateStorage();
    const symbols = loadUniverse().map((u) => u.symbol);
    let t = performance.now();
    await ensureHistory([...symbols, 'SPX'], addDays(FIVE.from, -400), '2020-04-30', providerFor(env));
    process.stdout.write(`# six and a half years of the universe's bars stored in ${((performance.now() - t) / 1000).toFixed(1)} s (the demo provider, once)\n`);

    // One slot. Cold: no stored setups, the slot streams the universe's bars itself (median of 3). Warm: the
    // production path, next-day-prep having stored the close's setups at 17:30 (median of 5).
    const at = new Date(`${DATE}T11:00:00-04:00`);
    await buildSlot(env, DATE, 'mid-morning-signals', at); // the 11:00 snapshot taken once
    const cold: number[] = [];
    for (let k = 0; k < 3; k++) {
      await IdeaSetups.deleteMany({});
      t = performance.now();
      await buildSlot(env, DATE, 'mid-morning-signals', at);
      cold.push(performance.now() - t);
    }
    const warm: number[] = [];
    let ideas = 0;
    for (let k = 0; k < 5; k++) {
      t = performance.now();
      ideas = (await buildSlot(env, DATE, 'mid-morning-signals', at)).ideas.length;
      warm.push(performance.now() - t);
    }
    const pre: number[] = [];
    for (let k = 0; k < 3; k++) {
      t = performance.now();
      await buildSlot(env, DATE, 'pre-market-signals', new Date(`${DATE}T09:00:00-04:00`));
      pre.push(performance.now() - t);
    }
    line('ideas_slot_ms', `${Math.round(median(warm))} · ${Math.round(median(cold))} (the 11:00 slot over ${symbols.length} symbols, ${ideas} ideas: with the close's setups stored by next-day-prep, median of 5 · cold, streaming the bars itself, median of 3; the 09:00 slot ${Math.round(median(pre))}; target ≤ 1,500)`);

    // A year of ideas in idea_slots: the replay's best 40 a session (through the live criteria), then one score-ideas run.
    const params = { ...ideaParams(DEFAULT_PARAMS), perSlot: 40 };
    const cands = [];
    for await (const [symbol, bars] of streamBars(symbols, addDays(YEAR.from, -400), YEAR.to)) cands.push(...symbolCandidates(symbol, bars, YEAR.from, YEAR.to, params, new Map()));
    const picked = pickPerSlot(cands, 40);
    const byDay = new Map<string, typeof picked>();
    for (const c of picked) byDay.set(c.date, [...(byDay.get(c.date) ?? []), c]);
    const docs = [...byDay].map(([date, list]) => ({
      _id: `${date}|pre-market-signals`, date, job: 'pre-market-signals', at: '09:00', basis: { kind: 'previous-close', text: 'bench' }, configVersion: 1, considered: symbols.length, createdAt: new Date(),
      ideasJson: JSON.stringify(list.map((c) => ({ id: `${date}|pre-market-signals|${c.symbol}`, date, slot: c.slot, at: IDEA_SLOTS[c.slot].time, symbol: c.symbol, side: c.side, entry: c.entry, stop: c.stop, horizon: c.horizon, criterion: c.criterion, criterionVersion: c.criterionVersion, configVersion: 1, why: c.why, facts: c.facts }))),
    }));
    for (let i = 0; i < docs.length; i += 200) await IdeaSlot.collection.insertMany(docs.slice(i, i + 200) as never[]);
    await writeState(FINAL_STATE, previousTradingDay(YEAR.from));
    const through = tradingDaysBetween(YEAR.to, '2020-02-15')[20]!;
    t = performance.now();
    const run = await scoreIdeas(through);
    const scoreMs = performance.now() - t;
    line('ideas_score_year_ms', `${Math.round(scoreMs)} (${run.ideas} ideas of ${docs.length} sessions scored through ${through}, ${run.final} final, ${run.months.length} months written; target ≤ 3,000 for ≥ 10,000)`);
    t = performance.now();
    const stats = await ideaStatsSince({ today: through, since: YEAR.from });
    process.stdout.write(`# the year's record read back in ${Math.round(performance.now() - t)} ms: ${stats.count} ideas, ${stats.overall.scored} scored\n`);

    // Five years, bars stored: the replay as `backtest --ideas` runs it.
    t = performance.now();
    const bt = await backtestIdeas({ from: FIVE.from, to: FIVE.to, provider: providerFor(env) });
    const btS = (performance.now() - t) / 1000;
    line('ideas_backtest_5y_s', `${btS.toFixed(1)} (${bt.count} ideas, ${bt.sessions} sessions × ${bt.symbols} symbols; target ≤ 60)`);

    if (process.argv.includes('--aged')) {
      await disconnectDatabase();
      const { writeAgedDatabase } = await import('./age-database.js');
      await writeAgedDatabase(`${db.uri.replace(/\/$/, '')}/ideas_aged`);
      const today = new Date().toISOString().slice(0, 10);
      const reads: number[] = [];
      let detail = '';
      for (let k = 0; k < 5; k++) {
        t = performance.now();
        const day = await ideasOn(previousTradingDay(today));
        const sym = await ideasFor('AAPL', today);
        const year = await ideaStatsSince({ today });
        reads.push(performance.now() - t);
        detail = `${day.slots.length} slots, AAPL ${sym.ideas.length} ideas, year ${year.count} ideas`;
      }
      t = performance.now();
      const aged = await scoreIdeas(today);
      line('ideas_reads_aged_ms', `${Math.round(median(reads))} (/ideas of a day + of a symbol + the year's stats, median of 5: ${detail}); score-ideas on the aged store ${Math.round(performance.now() - t)} ms for ${aged.ideas} ideas`);
    }
  } finally {
    await disconnectDatabase().catch(() => undefined);
    await db.stop();
    if (db.kind === 'ferretdb') await waitForServerExit(join(dir, 'ferretdb'));
    rmSync(dir, { recursive: true, force: true });
  }
}
