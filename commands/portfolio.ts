import { brokerLine } from '../src/broker/reconcile.js';
import { getActiveConfig } from '../src/strategy/config-versions.js';
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext, CommandMeta } from '../src/discord/command-module.js';
import { forgetAutocompleteCache } from '../src/discord/autocomplete.js';
import { askToConfirm, type PendingAction } from '../src/discord/confirm.js';
import { portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import type { PostInput } from '../src/notify/post.js';
import { benchmarkSymbol } from '../src/config/env.js';
import { portfolioPost } from '../src/present/trading-view.js';
import { todayIn, type IsoDate } from '../src/calendar/dates.js';
import { reportsSoon } from '../src/info/earnings-soon.js';
import { checkNewPortfolio, createPortfolio } from '../src/strategy/config-service.js';
import { portfolioView } from '../src/trading/portfolio-service.js';

export const data = new SlashCommandBuilder()
  .setName('portfolio')
  .setDescription('Portfolios: show one, or create a new one (admins)')
  .addSubcommand((s) =>
    s.setName('show').setDescription('Cash, positions, equity, P&L, drawdown and Sharpe of a portfolio')
      .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true)),
  )
  .addSubcommand((s) =>
    s.setName('create').setDescription('A new paper portfolio with the default configuration (admins, confirmed)')
      .addStringOption((o) => o.setName('name').setDescription('1–32 lower-case letters, digits or dashes, e.g. swing-2').setRequired(true).setMinLength(1).setMaxLength(32)),
  );

export const meta: CommandMeta = { adminSubcommands: ['create'] };

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  if (i.options.getSubcommand(true) === 'create') {
    const name = i.options.getString('name', true).trim();
    await checkNewPortfolio(name); // refused here, before any confirmation
    return askToConfirm(i, {
      action: 'portfolio.create', target: name, payload: { name },
      preview: { kind: 'tuning', title: `Create portfolio ${name}?`, description: 'It starts with the default configuration and is traded by the next generate-signal and execute-trades runs.' },
    });
  }
  const name = portfolioOption(i);
  await deferFor(i);
  const v = await portfolioView(name, undefined, benchmarkSymbol(rt.env));
  const reports = await reportsSoon(v.positions.map((p) => p.symbol), (v.asOf ?? todayIn('America/New_York')) as IsoDate);
  const brokerId = (await getActiveConfig(v.name)).params.broker ?? 'ledger';
  await replyWithPost(i, portfolioPost(v, rt.env.MARKET_DATA_PROVIDER === 'demo', undefined, reports, await brokerLine(v.name, brokerId)));
}

export async function confirm(_press: unknown, p: PendingAction): Promise<PostInput> {
  const v = await createPortfolio((p.payload as { name: string }).name, p.actor);
  forgetAutocompleteCache();
  return { kind: 'tuning', title: `Portfolio ${v.portfolio} created`, description: `Version ${v.version} holds the default configuration; change it with /config set name:${v.portfolio}.` };
}

export { autocomplete } from '../src/discord/autocomplete.js';
