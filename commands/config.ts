import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext, CommandMeta } from '../src/discord/command-module.js';
import { forgetAutocompleteCache } from '../src/discord/autocomplete.js';
import { askToConfirm, type PendingAction } from '../src/discord/confirm.js';
import type { PostInput } from '../src/notify/post.js';
import { UserFacingError } from '../src/errors.js';
import { checkPermissions } from '../src/discord/guard.js';
import { invokerOf } from '../src/discord/invoker.js';
import { replyWithImage } from '../src/discord/reply.js';
import { simulationPost } from '../src/present/simulate-view.js';
import { MAX_SIMULATION_MONTHS, simulationNotes } from '../src/strategy/simulate-service.js';
import { portfolioOption } from '../src/discord/options.js';
import { pagesOf, replyPaged } from '../src/discord/paginate.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import { configDiffPost, configHistoryPage, configHistoryRows, configPost, configReportPost } from '../src/present/strategy-view.js';
import { configDiff, configHistory, configReport, previewSet, rollbackConfig, setConfig, showConfig } from '../src/strategy/config-service.js';

const name = (o: import('discord.js').SlashCommandStringOption) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true);
const version = (o: import('discord.js').SlashCommandIntegerOption, n = 'version', required = true) => o.setName(n).setDescription('Config version').setMinValue(1).setRequired(required).setAutocomplete(true);

export const data = new SlashCommandBuilder()
  .setName('config')
  .setDescription('Strategy configuration versions')
  .addSubcommand((s) => s.setName('show').setDescription('A version (default: the active one)').addIntegerOption((o) => version(o, 'version', false)).addStringOption(name))
  .addSubcommand((s) => s.setName('history').setDescription('Every version, newest first').addStringOption(name))
  .addSubcommand((s) => s.setName('diff').setDescription('What differs between two versions').addIntegerOption((o) => version(o, 'a')).addIntegerOption((o) => version(o, 'b')).addStringOption(name))
  .addSubcommand((s) => s.setName('report').setDescription("A tuning version's report").addIntegerOption((o) => version(o)).addStringOption(name))
  .addSubcommand((s) =>
    s.setName('set').setDescription('Change one parameter → a new version (admins, confirmed)')
      .addStringOption((o) => o.setName('key').setDescription('Parameter').setRequired(true).setAutocomplete(true))
      .addStringOption((o) => o.setName('value').setDescription('New value (assets: comma-separated tickers)').setRequired(true))
      .addStringOption(name),
  )
  .addSubcommand((s) =>
    s.setName('simulate').setDescription('What a change would have done (backtest of active vs proposed); admins may then activate it')
      .addStringOption((o) => o.setName('key').setDescription('Parameter').setRequired(true).setAutocomplete(true))
      .addStringOption((o) => o.setName('value').setDescription('Proposed value').setRequired(true))
      .addStringOption((o) => o.setName('key2').setDescription('A second parameter').setAutocomplete(true))
      .addStringOption((o) => o.setName('value2').setDescription('Its proposed value'))
      .addIntegerOption((o) => o.setName('months').setDescription(`Window before the last stored bar (default 6, at most ${MAX_SIMULATION_MONTHS})`).setMinValue(1).setMaxValue(MAX_SIMULATION_MONTHS))
      .addStringOption(name),
  )
  .addSubcommand((s) => s.setName('rollback').setDescription('A new version copying an old one (admins, confirmed)').addIntegerOption((o) => version(o)).addStringOption(name));

export const meta: CommandMeta = { adminSubcommands: ['set', 'rollback'] };

export async function execute(i: ChatInputCommandInteraction, ctx: CommandContext): Promise<void> {
  const portfolio = portfolioOption(i);
  const sub = i.options.getSubcommand(true);
  if (sub === 'set') {
    const assignment = `${i.options.getString('key', true)}=${i.options.getString('value', true)}`;
    const preview = await previewSet(portfolio, [assignment]); // refused here, before any confirmation
    return askToConfirm(i, {
      action: 'config.set', target: portfolio, payload: { portfolio, assignment, from: preview.from },
      preview: configDiffPost(portfolio, { a: preview.from, b: preview.from + 1, changes: preview.changes }, `Change config ${portfolio}? (v${preview.from} → new version)`),
    });
  }
  if (sub === 'simulate') {
    const assignments = [`${i.options.getString('key', true)}=${i.options.getString('value', true)}`];
    const key2 = i.options.getString('key2');
    const value2 = i.options.getString('value2');
    if ((key2 === null) !== (value2 === null)) throw new UserFacingError('BAD_OPTION', '`key2` and `value2` go together: give both or neither.');
    if (key2 !== null && value2 !== null) assignments.push(`${key2}=${value2}`);
    await previewSet(portfolio, assignments); // a bad value is refused as `config set` refuses it, before "thinking…"
    await deferFor(i);
    await i.editReply({ content: `Simulating ${assignments.join(' ')} against the active version…` });
    const { simulation: sim, chart } = await ctx.rt.heavy.simulate(
      { portfolio, assignments, months: i.options.getInteger('months') ?? undefined },
      (stage) => void i.editReply({ content: `Simulating ${assignments.join(' ')}: ${stage}…` }).catch(() => undefined),
    );
    const post = simulationPost(sim, ctx.rt.env.MARKET_DATA_PROVIDER === 'demo');
    const admin = checkPermissions(meta, invokerOf(i), ctx.rt.env.DISCORD_ADMIN_ROLE_IDS, 'set').ok;
    if (!admin) return replyWithImage(i, post, chart.png, chart.filename); // everyone may simulate; only admins activate
    return askToConfirm(i, {
      action: 'config.set', target: portfolio, payload: { portfolio, assignment: assignments, from: sim.activeVersion, notes: simulationNotes(sim) },
      preview: post, image: chart, labels: { confirm: 'Activate this version', cancel: 'Discard' }, guardAs: 'set',
    });
  }
  if (sub === 'rollback') {
    const v = i.options.getInteger('version', true);
    const target = await showConfig(portfolio, v);
    const active = await showConfig(portfolio);
    return askToConfirm(i, {
      action: 'config.rollback', target: portfolio, payload: { portfolio, version: v, from: active.version },
      preview: configDiffPost(portfolio, { a: active.version, b: v, changes: (await configDiff(portfolio, active.version, v)).changes }, `Roll ${portfolio} back to v${target.version}? (a new version copying it)`),
    });
  }
  await deferFor(i);
  if (sub === 'show') {
    const v = i.options.getInteger('version') ?? undefined;
    return replyWithPost(i, configPost(await showConfig(portfolio, v)));
  }
  if (sub === 'history') {
    const rows = configHistoryRows(await configHistory(portfolio));
    return replyPaged(i, pagesOf(rows, 15, (r, page, pages) => configHistoryPage(portfolio, r, page, pages)));
  }
  if (sub === 'diff') return replyWithPost(i, configDiffPost(portfolio, await configDiff(portfolio, i.options.getInteger('a', true), i.options.getInteger('b', true))));
  const r = await configReport(portfolio, i.options.getInteger('version', true));
  return replyWithPost(i, configReportPost(portfolio, r.version, r.report));
}

/** A confirmed `set` or `rollback`: through the same validated, audited path as the CLI. */
export async function confirm(_press: unknown, p: PendingAction): Promise<PostInput> {
  const { portfolio, from } = p.payload as { portfolio: string; from: number };
  if (p.action === 'config.set') {
    // One assignment from /config set, or a simulation's list (its figures go into the version's notes).
    const { assignment, notes } = p.payload as { assignment: string | string[]; notes?: string };
    const list = Array.isArray(assignment) ? assignment : [assignment];
    const r = await setConfig(portfolio, list, p.actor, [`via Discord: ${list.join(' ')}`, notes].filter(Boolean).join(' · '));
    forgetAutocompleteCache();
    return configDiffPost(portfolio, { a: from, b: r.version.version, changes: r.changes }, `Config ${portfolio} v${r.version.version} is active`);
  }
  const { version } = p.payload as { version: number };
  const r = await rollbackConfig(portfolio, version, p.actor);
  forgetAutocompleteCache();
  return configDiffPost(portfolio, { a: from, b: r.version.version, changes: r.changes }, `Config ${portfolio}: v${r.version.version} is active (a copy of v${version})`);
}

export { autocomplete } from '../src/discord/autocomplete.js';
