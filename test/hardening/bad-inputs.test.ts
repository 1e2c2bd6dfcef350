import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { MongoClient, type Db } from 'mongodb';
import mongoose from 'mongoose';
import { isCalendarDate } from '../../src/calendar/nyse.js';
import { CLI_COMMANDS, runCli } from '../../src/cli/cli.js';
import { collectionHash } from '../../src/db/backup.js';
import { startBot, type Bot } from '../../src/discord/bot.js';
import { isUserFacingError } from '../../src/errors.js';
import { DemoProvider } from '../../src/market-data/demo-provider.js';
import { fetchMarketData } from '../../src/market-data/fetch-service.js';
import { openRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { PARAM_KEYS } from '../../src/strategy/config-schema.js';
import { createPortfolio, previewSet, rollbackConfig, setConfig } from '../../src/strategy/config-service.js';
import { loadUniverse } from '../../src/market-data/universe.js';
import { getActiveConfig } from '../../src/strategy/config-versions.js';
import { testEnv, testUri } from '../helpers/db.js';
import { DiscordStandIn, IDS } from '../helpers/discord-stand-in.js';

/**
 * Generated bad input, by the thousand, through the three doors a user has: CLI argument vectors (runCli,
 * what `signaldesk` runs), slash-command option sets (through the real discord.js client on the local
 * stand-in, as Discord delivers them: option types and choices already enforced), and config edits (the
 * services). Each must be refused with exit code 2 or a private reply that names the input, with no stack
 * trace and no change in the database (every collection hashed; audit entries may only grow by refusals
 * and denials, which are what an audit is for). Changes are detected per batch and then pinned to the
 * single input that made them.
 */
const dbName = `t_badin_${randomBytes(3).toString('hex')}`;
const uri = `${testUri().replace(/\/$/, '')}/${dbName}`;
const RUNS = Number(process.env.BAD_INPUT_RUNS ?? 0) || undefined;
const STACK = /^\s+at .+[:(]\d+/m;
const UNEXPECTED = /went wrong|failed unexpectedly|TypeError|ReferenceError|undefined is not|Cannot read prop/;

interface BadInput {
  door: 'cli' | 'slash' | 'config';
  label: string;
  /** The piece that is wrong: the answer must name it (or the option it was given to). */
  names: string[];
  /** The option or flag the input was given to: what an answer to an empty or very short input must name. */
  option?: string;
  run(): Promise<{ ok: boolean; message: string }>;
}

const figures = { tried: 0, stateChanges: 0, stackTraces: 0, unclear: 0 };
const problems: string[] = [];
let client: MongoClient;
let db: Db;

/** Every collection but the audit trail; the audit trail separately, as the count of entries that are not refusals. */
async function snapshot(): Promise<string> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.')).sort();
  const parts: string[] = [];
  for (const n of names) {
    if (n === 'audit_entries') continue;
    const h = await collectionHash(db, n);
    parts.push(`${n}:${h.count}:${h.sha256}`);
  }
  parts.push(`audit-not-refusals:${await db.collection('audit_entries').countDocuments({ result: { $nin: ['refused', 'denied'] } })}`);
  return parts.join('|');
}

function check(input: BadInput, r: { ok: boolean; message: string }): void {
  figures.tried++; // counted here, once per input actually run and answered
  const where = `${input.door} ${input.label}`;
  if (!r.ok) problems.push(`${where}: not refused (${r.message.slice(0, 200)})`);
  if (STACK.test(r.message) || UNEXPECTED.test(r.message)) {
    figures.stackTraces++;
    problems.push(`${where}: stack trace or unexpected error: ${r.message.slice(0, 300)}`);
  }
  const first = r.message.split('\n')[0] ?? '';
  // "Names the input": the answer quotes it; an empty or very short input (where a quote proves nothing,
  // one character is in most sentences) must be named by its option or flag instead.
  // A short one counts only quoted ("L", got "01") or through its option.
  const quotable = (n: string) => n.trim().length >= 3;
  const named = input.names.some((n) => (quotable(n) ? r.message.toLowerCase().includes(n.trim().toLowerCase()) : n.trim() !== '' && r.message.includes(`"${n.trim()}"`)))
    || (input.option !== undefined && !input.names.some(quotable) && r.message.toLowerCase().includes(input.option.toLowerCase()));
  if (first.trim().length < 10 || !named) {
    figures.unclear++;
    problems.push(`${where}: the answer does not name ${JSON.stringify(input.names)}: ${first.slice(0, 200)}`);
  }
}

/**
 * Run a batch; a batch that changed the database fails the suite whatever a replay shows (a one-time
 * write is exactly what must be caught); its inputs are then replayed one by one to name the culprit
 * when it repeats.
 */
async function runBatch(inputs: BadInput[], batch: number): Promise<void> {
  const before = await snapshot();
  for (const input of inputs) check(input, await input.run());
  const after = await snapshot();
  if (after === before) return;
  figures.stateChanges++;
  const was = new Set(before.split('|'));
  const changed = after.split('|').filter((p) => !was.has(p)).map((p) => p.split(':')[0]);
  const culprits: string[] = [];
  for (const input of inputs) {
    const b = await snapshot();
    await input.run();
    if ((await snapshot()) !== b) culprits.push(`${input.door} ${input.label}`);
  }
  problems.push(`batch ${batch} (${inputs[0]?.door} ${inputs[0]?.label} … ${inputs.length} inputs) changed ${changed.join(', ')}; on replay: ${culprits.join(', ') || 'no single input repeats it'}`);
}

async function runAll(arb: fc.Arbitrary<BadInput>, numRuns: number): Promise<void> {
  const inputs = fc.sample(arb, { numRuns, seed: 20261123 });
  for (let i = 0; i < inputs.length; i += 50) await runBatch(inputs.slice(i, i + 50), i / 50 + 1);
}

// ── the bad atoms ──────────────────────────────────────────────────────────────────────────────
const junk = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s.trim().length > 0 && !s.startsWith('-'));
const badDate = fc.oneof(
  fc.constantFrom('abc', '2020-02-30', '2099-01-01', '1999-12-31', '16/03/2020', '2020-13-01', '2020-3-1', '0x7E4', '2020-03-16T00:00', '2021-02-29', '2020-03-16x', '20200316', '1e3'),
  junk,
).filter((d) => !isCalendarDate(d));
const NAME_OK = /^(?:[a-z0-9-]{1,32}|backtest:[a-z0-9-]{1,40})$/;
const badName = fc.oneof(
  fc.constantFrom('{"$gt":""}', 'Ghost Portfolio', '__proto__', 'a'.repeat(33), 'UPPER', '../etc', '$where', 'semi;colon', 'backtest:', 'x y'),
  junk,
).filter((n) => !NAME_OK.test(n));
const badVersion = fc.constantFrom('0x1', '1e0', '0', '-1', 'abc', '1.5', '01', '9999999', '١');
const badKey = fc.oneof(fc.constantFrom('daily_capitol', 'DAILY_CAPITAL', '__proto__', 'constructor', 'toString', 'assets.0'), junk.filter((k) => /^\S+$/.test(k) && !k.includes('='))).filter((k) => !(PARAM_KEYS as string[]).includes(k));
const badValueFor: Record<string, string[]> = {
  daily_capital: ['0x10', '-5', '0', 'abc', '1e99', '', 'NaN', 'Infinity', '2,000', '1_000'],
  sell_percentage: ['1.5', '-0.1', 'half', '0x1'],
  lookback_days: ['59', '1001', '60.5', '1e2'],
  regime_bullish_threshold: ['2', '-1', 'high'],
  risk_high_threshold: ['101', '-3'],
  assets: ['', 's&p', 'ZZZZ!', 'SPY,,', 'A'.repeat(11)],
  broker: ['robinhood', 'ALPACAS', '1', 'ledger,alpaca'],
  lot_method: ['lifo', 'first', '0'],
  idea_criteria: ['momentum', 'premarket-gap,frob', 'volume-surge,volume-surge'],
  ideas_per_slot: ['0', '26', '2.5'],
  idea_sides: ['short', 'all', 'long,short'],
  idea_stop_atr: ['0', '9', 'wide'],
};
const badAssignment = fc.oneof(
  fc.record({ key: fc.constantFrom(...Object.keys(badValueFor)) }).chain(({ key }) => fc.constantFrom(...badValueFor[key]!).map((v) => ({ text: `${key}=${v}`, names: [key] }))),
  fc.tuple(badKey, fc.constantFrom('1', '2000', 'x')).map(([k, v]) => ({ text: `${k}=${v}`, names: [k] })),
  fc.constantFrom('noequals', '=5', 'daily_capital'),
  fc.constantFrom('2000', '3000').map((v) => ({ text: `daily_capital=${v} daily_capital=2500`, names: ['daily_capital'] })),
).map((a) => (typeof a === 'string' ? { text: a, names: [a.replace(/=.*/, '') || a] } : a));
// Junk that happens to spell a covered ticker (PH, A, …) is a good symbol, not a bad one.
const COVERED = new Set(['SPX', ...loadUniverse().map((u) => u.symbol)]);
const badSymbol = fc.oneof(fc.constantFrom('NOPE', 'ZZZZ', 'S&P', '$SPX', 'SPX SPY', 'A'.repeat(11)), junk.map((s) => s.toUpperCase()).filter((s) => !COVERED.has(s.trim())));

// ── the CLI door ───────────────────────────────────────────────────────────────────────────────
function cliInput(label: string, argv: string[], names: string[]): BadInput {
  return {
    door: 'cli', label, names,
    option: names.find((n) => n.startsWith('--')) ?? argv.find((a) => a.startsWith('--')) ?? (argv[0] === 'config' ? 'key' : argv[0]),
    async run() {
      let err = '';
      let out = '';
      let code: number;
      try {
        code = await runCli(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env: { MONGODB_URI: uri, LOG_LEVEL: 'silent' } });
      } catch (e) {
        return { ok: false, message: `runCli threw: ${(e as Error).stack ?? String(e)}` };
      }
      return { ok: code === 2, message: code === 2 ? err.replace(/^error \[[A-Z_]+\]: /, '') : `exit ${code}: ${err}${out}` };
    },
  };
}

const cliArb: fc.Arbitrary<BadInput> = fc.oneof(
  fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'frobnicate', 'RUN'), junk)
    .filter((c) => !CLI_COMMANDS.includes(c))
    .map((c) => cliInput(`command ${JSON.stringify(c)}`, [c], [c])),
  fc.tuple(fc.constantFrom(['run', 'fetch-market-data'], ['portfolio'], ['signal', 'show'], ['scan'], ['chart', 'SPX'], ['trades'], ['jobs', 'history', 'generate-signal']), fc.constantFrom('--date', '--from', '--to'), badDate)
    .map(([cmd, flag, d]) => cliInput(`${cmd.join(' ')} ${flag} ${JSON.stringify(d)}`, [...cmd, flag, d], [d, flag])),
  fc.tuple(fc.constantFrom(['portfolio'], ['trades'], ['config', 'show'], ['config', 'set', 'daily_capital=2000'], ['pause'], ['signal', 'show'], ['equity']), badName)
    .map(([cmd, n]) => cliInput(`${cmd.join(' ')} --name ${JSON.stringify(n)}`, [...cmd, '--name', n], [n, '--name'])),
  fc.tuple(fc.constantFrom(['config', 'rollback'], ['config', 'report'], ['config', 'diff', '1']), badVersion)
    .map(([cmd, v]) => cliInput(`${cmd.join(' ')} ${v}`, [...cmd, v], [v])),
  badVersion.map((v) => cliInput(`config show --version ${v}`, ['config', 'show', '--version', v], [v, '--version'])),
  badAssignment.map((a) => cliInput(`config set ${a.text}`, ['config', 'set', ...a.text.split(' ')], a.names)),
  fc.oneof(
    fc.tuple(badDate, fc.constant('2020-03-01')).map(([f, t]) => ({ f, t, names: [f, '--from'] })),
    fc.constant({ f: '2020-03-01', t: '2020-01-02', names: ['--from', '2020-03-01'] as string[] }),
  ).map(({ f, t, names }) => cliInput(`backtest --from ${f} --to ${t}`, ['backtest', '--from', f, '--to', t], names)),
  badSymbol.map((s) => cliInput(`backtest --symbols ${s}`, ['backtest', '--from', '2020-01-02', '--to', '2020-03-01', '--symbols', s], s.split(','))),
  fc.tuple(fc.constantFrom('run', 'portfolio', 'config', 'trades', 'health'), fc.constantFrom('--frobnicate', '--dat', '-x', '--jsn')).map(([c, f]) => cliInput(`${c} ${f}`, [c, f], [f])),
  fc.oneof(fc.constantFrom('fetch-everything', 'generate_signal', '__proto__'), junk).map((j) => cliInput(`run ${JSON.stringify(j)}`, ['run', j, '--date', '2020-03-16'], [j])),
  badSymbol.map((s) => cliInput(`chart ${s}`, ['chart', s], [s])),
  fc.constantFrom('stoch', 'sma21', 'obv', 'SMA20;drop').map((x) => cliInput(`chart SPX --indicators ${x}`, ['chart', 'SPX', '--indicators', x], [x])),
  fc.tuple(fc.constantFrom('--type', '--scale', '--theme', '--trades'), fc.constantFrom('bars', 'ln', 'blue', 'nope')).map(([flag, v]) => cliInput(`chart SPX ${flag} ${v}`, ['chart', 'SPX', flag, v], [v])),
  fc.constantFrom('7d', '10y', 'all', '1w').map((x) => cliInput(`chart SPX --range ${x}`, ['chart', 'SPX', '--range', x], [x])),
  fc.constantFrom('25:00', '9:45', '13h', '12:60', 'noon').map((x) => cliInput(`run intraday-watch --at ${x}`, ['run', 'intraday-watch', '--date', '2020-03-16', '--at', x], [x])),
  badName.filter((n) => n.length > 0).map((n) => cliInput(`portfolio create ${JSON.stringify(n)}`, ['portfolio', 'create', n], [n])),
  fc.constantFrom('hourly', 'yearly', 'DAILY', '').map((p) => cliInput(`pnl --period ${JSON.stringify(p)}`, ['pnl', '--period', p], [p, '--period'])),
  fc.constantFrom('nope', 'config-scan', '__proto__').map((s) => cliInput(`scan --name ${s}`, ['scan', '--name', s], [s])),
  badSymbol.filter((x) => !x.includes(' ')).map((x) => cliInput(`news ${x}`, ['news', x], [x])),
  badSymbol.filter((x) => !x.includes(' ')).map((x) => cliInput(`earnings ${x}`, ['earnings', x], [x])),
  fc.tuple(fc.constantFrom(['news', 'AAPL'], ['earnings'], ['calendar'], ['world'], ['brew']), fc.constantFrom('--since', '--date', '--from'), badDate)
    .map(([cmd, flag, d]) => cliInput(`${cmd.join(' ')} ${flag} ${JSON.stringify(d)}`, [...cmd, flag, d], [d, flag])),
  fc.constantFrom('earnings', 'calendar').map((c) => cliInput(`${c} --from 2020-03-20 --to 2020-03-01`, [c, '--from', '2020-03-20', '--to', '2020-03-01'], ['2020-03-01', '2020-03-20'])),
  fc.constantFrom('month', 'weeks', '__proto__').map((x) => cliInput(`calendar ${x}`, ['calendar', x], [x])),
  fc.constantFrom('0', '366', 'abc', '1.5', '7d', '1e2').map((x) => cliInput(`congress recent --days ${x}`, ['congress', 'recent', '--days', x], [x, '--days'])),
  fc.constantFrom('S&P', '$SPX', 'A'.repeat(11), '1ABC', 'BRK B').map((x) => cliInput(`congress recent --ticker ${x}`, ['congress', 'recent', '--ticker', x], [x])),
  fc.oneof(fc.constantFrom('x', 'Nobody Atall', '__proto__', '{"$gt":""}'), junk).map((x) => cliInput(`congress member ${JSON.stringify(x)}`, ['congress', 'member', x], [x])),
  fc.tuple(fc.constantFrom('abc', '500', '1e6', '100000000', '12.5'), fc.constant(0)).map(([v]) => cliInput(`congress follow amount ${v}`, ['congress', 'follow', 'amount', v, '--user', '300000000000000009'], [v])),
  fc.constantFrom('politician', 'TICKER', 'senator', '__proto__').map((k) => cliInput(`congress follow ${k} AAPL`, ['congress', 'follow', k, 'AAPL', '--user', '300000000000000009'], [k])),
  fc.constantFrom('123', 'abc', 'me').map((u) => cliInput(`congress list --user ${u}`, ['congress', 'list', '--user', u], [u, '--user'])),
  fc.constantFrom('frobnicate', 'recentt', '__proto__').map((x) => cliInput(`congress ${x}`, ['congress', x], [x])),
  fc.constantFrom('frobnicate', 'adoptt', '__proto__').map((x) => cliInput(`broker ${x}`, ['broker', x], [x])),
  fc.constantFrom('late', 'earlyy', '__proto__').map((x) => cliInput(`brew ${x}`, ['brew', x], [x])),
  fc.constantFrom('2020-03-13', '2019-01-02').map((d) => cliInput(`world --date ${d} (no board stored)`, ['world', '--date', d], [d])),
  badSymbol.filter((x) => !x.includes(' ') && !x.startsWith('-') && x !== 'STATS').map((x) => cliInput(`ideas ${x}`, ['ideas', x], [x])),
  fc.constantFrom('momentum', 'gap', '__proto__', 'ALL').map((x) => cliInput(`ideas stats --criterion ${x}`, ['ideas', 'stats', '--criterion', x], [x])),
  badDate.map((d) => cliInput(`ideas stats --since ${JSON.stringify(d)}`, ['ideas', 'stats', '--since', d], [d, '--since'])),
  badDate.map((d) => cliInput(`ideas --date ${JSON.stringify(d)}`, ['ideas', '--date', d], [d, '--date'])),
  fc.constantFrom('2026-12-01', '2020-03-17').map((d) => cliInput(`ideas ${d} (a date without --date)`, ['ideas', d], [d])),
  fc.constantFrom('stat', 'list', '__proto__').map((x) => cliInput(`ideas AAPL ${x}`, ['ideas', 'AAPL', x], [x])),
  fc.constantFrom('SPY', 'cash', 'NOPE').map((x) => cliInput(`broker adopt ${x} (nothing reconciled)`, ['broker', 'adopt', x], ['main'])),
);

// ── the Discord door ───────────────────────────────────────────────────────────────────────────
const discord = new DiscordStandIn();
let rt: Runtime;
let bot: Bot;

interface Opt { name: string; type: number; value: string | number }
const s = (name: string, value: string): Opt => ({ name, type: 3, value });
const n = (name: string, value: number): Opt => ({ name, type: 4, value });

/** The interaction's answer: an immediate reply (type 4) or, after "thinking…", a follow-up. */
async function answerOf(id: string): Promise<{ ephemeral: boolean; content: string }> {
  const first = await discord.waitForRequest((r) => r.path.startsWith(`/interactions/${id}/`), 10_000);
  const body = first.json as { type: number; data?: { content?: string; flags?: number; components?: unknown[] } };
  if (body.type === 4) {
    const prompt = (body.data?.components?.length ?? 0) > 0;
    return { ephemeral: ((body.data?.flags ?? 0) & 64) === 64 && !prompt, content: prompt ? 'offered a confirmation prompt' : (body.data?.content ?? '') };
  }
  // After "thinking…": a private follow-up (a refusal), or an edit of the deferred reply (an answer: not refused).
  const follow = await discord.waitForRequest((r) => (r.method === 'POST' && r.path === `/webhooks/${IDS.app}/tok-${id}`) || (r.method === 'PATCH' && r.path.includes(`tok-${id}/messages/@original`)), 10_000);
  const f = follow.json as { content?: string; flags?: number; embeds?: unknown[] };
  if (follow.method === 'PATCH') return { ephemeral: false, content: `answered as if valid: ${JSON.stringify(f.embeds ?? f.content).slice(0, 200)}` };
  return { ephemeral: ((f.flags ?? 0) & 64) === 64, content: f.content ?? JSON.stringify(f.embeds ?? []) };
}

function slashInput(label: string, command: string, opts: { subcommand?: string; options: Opt[]; admin?: boolean }, names: string[]): BadInput {
  return {
    door: 'slash', label: `/${command}${opts.subcommand ? ` ${opts.subcommand}` : ''} ${label}`, names,
    // The option that holds the bad value (or is named as the bad piece).
    option: names.find((n) => opts.options.some((o) => (o as { name?: string }).name === n))
      ?? (opts.options as Array<{ name?: string; value?: unknown }>).find((o) => names.some((n) => String(o.value ?? '').split(',').map((v) => v.trim()).includes(n.trim())))?.name
      ?? (command === 'config' ? 'key' : command),
    async run() {
      const id = discord.sendCommand(command, {
        userId: opts.admin ? IDS.admin : IDS.member, roles: opts.admin ? [IDS.adminRole] : [],
        ...(opts.subcommand ? { subcommand: opts.subcommand } : {}), options: opts.options,
      });
      const a = await answerOf(id).catch(() => ({ ephemeral: false, content: 'no answer within 10 s ("This interaction failed")' }));
      return { ok: a.ephemeral, message: a.content };
    },
  };
}

const slashArb: fc.Arbitrary<BadInput> = fc.oneof(
  badSymbol.map((x) => slashInput(`symbol:${x}`, 'chart', { options: [s('symbol', x)] }, [x])),
  badDate.map((d) => slashInput(`date:${d}`, 'chart', { options: [s('symbol', 'SPX'), s('date', d)] }, [d])),
  fc.constantFrom('stoch', 'sma21', 'vwap,bb').map((x) => slashInput(`indicators:${x}`, 'chart', { options: [s('symbol', 'SPX'), s('indicators', x)] }, [x.split(',')[0]!])),
  fc.tuple(badDate, fc.constantFrom('from', 'to')).map(([d, which]) =>
    slashInput(`${which}:${d}`, 'backtest', { options: [s('from', which === 'from' ? d : '2020-01-02'), s('to', which === 'to' ? d : '2020-03-01')] }, [d])),
  badSymbol.map((x) => slashInput(`symbols:${x}`, 'backtest', { options: [s('from', '2020-01-02'), s('to', '2020-03-01'), s('symbols', `SPY,${x}`)] }, x.split(','))),
  badAssignment.filter((a) => !a.text.includes(' ') && a.text.includes('=')).map((a) => {
    const [key, ...rest] = a.text.split('=');
    return slashInput(`${key}=${rest.join('=')}`, 'config', { subcommand: 'set', admin: true, options: [s('key', key!), s('value', rest.join('=') || ' ')] }, a.names);
  }),
  fc.constantFrom(999, 12345).map((v) => slashInput(`version:${v}`, 'config', { subcommand: 'rollback', admin: true, options: [n('version', v)] }, [String(v)])),
  fc.constantFrom(999, 4242).map((v) => slashInput(`version:${v}`, 'config', { subcommand: 'show', options: [n('version', v)] }, [String(v)])),
  badName.map((x) => slashInput(`name:${x}`, 'config', { subcommand: 'history', options: [s('name', x)] }, [x])),
  fc.tuple(fc.constantFrom('trades', 'positions', 'performance', 'equity', 'signal'), badName).map(([c, x]) => slashInput(`name:${x}`, c, { options: [s('name', x)] }, [x])),
  fc.constantFrom('ghost', 'nobody-here', 'swing-99').map((x) => slashInput(`name:${x}`, 'portfolio', { subcommand: 'show', options: [s('name', x)] }, [x])),
  badDate.map((d) => slashInput(`from:${d}`, 'trades', { options: [s('from', d)] }, [d])),
  badDate.map((d) => slashInput(`date:${d}`, 'signal', { options: [s('date', d)] }, [d])),
  badDate.map((d) => slashInput(`date:${d}`, 'rerun', { admin: true, options: [s('job', 'generate-signal'), s('date', d)] }, [d])),
  fc.oneof(fc.constantFrom('fetch-everything', '__proto__', 'generate_signal'), junk).map((j) => slashInput(`job:${j}`, 'rerun', { admin: true, options: [s('job', j), s('date', '2020-03-16')] }, [j])),
  fc.oneof(fc.constantFrom('fetch-everything', 'constructor'), junk).map((j) => slashInput(`job:${j}`, 'jobs', { subcommand: 'history', options: [s('job', j)] }, [j])),
  badName.filter((x) => x.length >= 1 && x.length <= 32).map((x) => slashInput(`name:${x}`, 'portfolio', { subcommand: 'create', admin: true, options: [s('name', x)] }, [x])),
  fc.constant(0).map(() => slashInput('name:main (exists)', 'portfolio', { subcommand: 'create', admin: true, options: [s('name', 'main')] }, ['main'])),
  fc.oneof(badName, fc.constantFrom('ghost', 'swing-99')).map((x) => slashInput(`name:${x}`, 'pause', { admin: true, options: [s('name', x)] }, [x])),
  fc.constant('main').map((x) => slashInput('name:main (already running)', 'resume', { admin: true, options: [s('name', x)] }, [x])),
  fc.tuple(fc.constantFrom('25:00', '9am', '', '12:60', '-1:00'), fc.constantFrom('start', 'end')).map(([t, which]) =>
    slashInput(`${which}:${t}`, 'alerts', { subcommand: 'quiet', admin: true, options: [s('start', which === 'start' ? t : '22:00'), s('end', which === 'end' ? t : '07:00')] }, [t])),
  fc.constantFrom('nope', 'config-scan').map((x) => slashInput(`name:${x}`, 'scan', { options: [s('name', x)] }, [x])),
  badSymbol.map((x) => slashInput(`symbol:${x}`, 'news', { options: [s('symbol', x)] }, [x])),
  badDate.map((d) => slashInput(`since:${d}`, 'news', { options: [s('since', d)] }, [d])),
  badDate.map((d) => slashInput(`date:${d}`, 'earnings', { options: [s('date', d)] }, [d])),
  badSymbol.map((x) => slashInput(`symbol:${x}`, 'earnings', { options: [s('symbol', x)] }, [x])),
  badDate.map((d) => slashInput(`to:${d}`, 'calendar', { options: [s('date', '2020-03-01'), s('to', d)] }, [d])),
  badDate.map((d) => slashInput(`date:${d}`, 'world', { options: [s('date', d)] }, [d])),
  badDate.map((d) => slashInput(`date:${d}`, 'brew', { options: [s('date', d)] }, [d])),
  badDate.map((d) => slashInput(`date:${d}`, 'ideas', { subcommand: 'list', options: [s('date', d)] }, [d])),
  badSymbol.map((x) => slashInput(`symbol:${x}`, 'ideas', { subcommand: 'list', options: [s('symbol', x)] }, [x])),
  badDate.map((d) => slashInput(`since:${d}`, 'ideas', { subcommand: 'stats', options: [s('since', d)] }, [d])),
  fc.constantFrom('momentum', '__proto__').map((x) => slashInput(`criterion:${x}`, 'ideas', { subcommand: 'stats', options: [s('criterion', x)] }, [x])),
  fc.constantFrom('S&P', '$SPX', 'A'.repeat(11), '1ABC').map((x) => slashInput(`ticker:${x}`, 'congress', { subcommand: 'recent', options: [s('ticker', x)] }, [x])),
  fc.oneof(fc.constantFrom('x', 'Nobody Atall'), junk).map((x) => slashInput(`name:${x}`, 'congress', { subcommand: 'member', options: [s('name', x)] }, [x])),
  fc.constantFrom('abc', '500', '100000000').map((v) => slashInput(`follow amount:${v}`, 'congress', { subcommand: 'follow', options: [s('kind', 'amount'), s('value', v)] }, [v])),
  fc.constantFrom('AAPL', 'NVDA').map((v) => slashInput(`unfollow ticker:${v} (not followed)`, 'congress', { subcommand: 'unfollow', options: [s('kind', 'ticker'), s('value', v)] }, [v])),
  fc.tuple(fc.constantFrom('config', 'health', 'rerun'), fc.constant(0)).map(([c]) =>
    slashInput('by a member (admin-only)', c, c === 'config' ? { subcommand: 'set', options: [s('key', 'daily_capital'), s('value', '2000')] } : c === 'rerun' ? { options: [s('job', 'generate-signal'), s('date', '2020-03-16')] } : { options: [] }, ['admin'])),
);

// ── the config door ────────────────────────────────────────────────────────────────────────────
const actor = { id: 'prop', name: 'property-suite', source: 'cli' as const };
function configInput(label: string, names: string[], fn: () => Promise<unknown>, option = 'key'): BadInput {
  return {
    door: 'config', label, names, option,
    async run() {
      try {
        await fn();
        return { ok: false, message: 'accepted' };
      } catch (err) {
        if (isUserFacingError(err)) return { ok: true, message: err.message };
        return { ok: false, message: (err as Error).stack ?? String(err) };
      }
    },
  };
}
const configArb: fc.Arbitrary<BadInput> = fc.oneof(
  fc.array(badAssignment, { minLength: 1, maxLength: 3 }).map((as) => {
    const list = as.flatMap((a) => a.text.split(' '));
    return configInput(`setConfig ${list.join(' ')}`, as.flatMap((a) => a.names), () => setConfig('main', list, actor));
  }),
  fc.tuple(badAssignment, fc.constantFrom('daily_capital=2000', 'sell_percentage=0.2')).map(([a, good]) =>
    configInput(`previewSet ${good} ${a.text}`, a.names, () => previewSet('main', [good, ...a.text.split(' ')]))),
  fc.oneof(fc.constantFrom(0, -1, 1.5, 999, Number.NaN), fc.integer({ min: 50, max: 100000 })).map((v) => configInput(`rollback ${v}`, [String(v)], () => rollbackConfig('main', v, actor), 'version')),
  badName.map((x) => configInput(`createPortfolio ${JSON.stringify(x)}`, [x], () => createPortfolio(x, actor))),
  badName.map((x) => configInput(`setConfig --name ${JSON.stringify(x)}`, [x], () => setConfig(x, ['daily_capital=2000'], actor))),
);

describe('bad input by the thousand: a clear refusal, no stack trace, no state change', () => {
  before(async () => {
    client = await new MongoClient(testUri()).connect();
    db = client.db(dbName);
  });

  after(async () => {
    await bot?.stop();
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await rt?.close();
    await discord.stop();
    await client.close();
    process.stdout.write(
      `bad_inputs_tried ${figures.tried}\nbad_inputs_state_changes ${figures.stateChanges}\nbad_inputs_stack_traces ${figures.stackTraces}\nbad_inputs_unclear ${figures.unclear}\n`,
    );
  });

  test('CLI argument vectors', async () => {
    // Prepared state: bars, the main portfolio and its config (so reads have something to read).
    const quiet = { out: () => undefined, err: () => undefined, env: { MONGODB_URI: uri, LOG_LEVEL: 'silent' } };
    assert.equal(await runCli(['run', 'fetch-market-data', '--date', '2020-03-16'], quiet), 0);
    // The main portfolio's first config version is written by its first reader (and audited): part of the
    // prepared state, or the first batch would be charged with that one-time write.
    assert.equal(await runCli(['config', 'show'], quiet), 0);
    const before = problems.length;
    await runAll(cliArb, RUNS ?? 450);
    assert.deepEqual(problems.slice(before), []);
  });

  test('slash-command option sets through the real client', async () => {
    await discord.start();
    rt = await openRuntime(testEnv({
      MONGODB_URI: uri, DISCORD_TOKEN: 'stand-in-token-0123456789', DISCORD_APP_ID: IDS.app, DISCORD_API_URL: discord.api,
      DISCORD_ADMIN_ROLE_IDS: IDS.adminRole, DISCORD_CHANNEL_OPS: IDS.channel,
    }), { keepLogger: true });
    await fetchMarketData({ date: '2020-03-16', symbols: ['SPX'], provider: new DemoProvider(), backfillDays: 120 });
    await getActiveConfig('main');
    bot = await startBot(rt);
    const before = problems.length;
    await runAll(slashArb, RUNS ?? 400);
    assert.deepEqual(problems.slice(before), []);
  });

  test('config edits through the services', async () => {
    const before = problems.length;
    await runAll(configArb, RUNS ?? 250);
    assert.deepEqual(problems.slice(before), []);
    assert.ok(figures.tried >= 1_000, `tried ${figures.tried}`);
    assert.equal(figures.stateChanges, 0);
    assert.equal(figures.stackTraces, 0);
  });
});
