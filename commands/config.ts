import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext, CommandMeta } from '../src/discord/command-module.js';
import { forgetAutocompleteCache } from '../src/discord/autocomplete.js';
import { askToConfirm, type PendingAction } from '../src/discord/confirm.js';
import type { PostInput } from '../src/notify/post.js';
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
  .addSubcommand((s) => s.setName('rollback').setDescription('A new version copying an old one (admins, confirmed)').addIntegerOption((o) => version(o)).addStringOption(name));

export const meta: CommandMeta = { adminSubcommands: ['set', 'rollback'] };

export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
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
    const { assignment } = p.payload as { assignment: string };
    const r = await setConfig(portfolio, [assignment], p.actor, `via Discord: ${assignment}`);
    forgetAutocompleteCache();
    return configDiffPost(portfolio, { a: from, b: r.version.version, changes: r.changes }, `Config ${portfolio} v${r.version.version} is active`);
  }
  const { version } = p.payload as { version: number };
  const r = await rollbackConfig(portfolio, version, p.actor);
  forgetAutocompleteCache();
  return configDiffPost(portfolio, { a: from, b: r.version.version, changes: r.changes }, `Config ${portfolio}: v${r.version.version} is active (a copy of v${version})`);
}

export { autocomplete } from '../src/discord/autocomplete.js';
