import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { discordActor } from '../src/discord/actor.js';
import { dateOption, portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithImage } from '../src/discord/reply.js';
import { backtestPost } from '../src/present/strategy-view.js';
import { checkBacktestRequest } from '../src/strategy/backtest-service.js';

export const data = new SlashCommandBuilder()
  .setName('backtest')
  .setDescription('Run the strategy over history with a config version (progress shown)')
  .addStringOption((o) => o.setName('from').setDescription('First trade date, YYYY-MM-DD').setRequired(true))
  .addStringOption((o) => o.setName('to').setDescription('Last trade date, YYYY-MM-DD').setRequired(true))
  .addIntegerOption((o) => o.setName('version').setDescription('Config version (default: active)').setMinValue(1).setAutocomplete(true))
  .addStringOption((o) => o.setName('symbols').setDescription('Comma-separated tickers (default: the config assets)'))
  .addStringOption((o) => o.setName('name').setDescription('Portfolio whose config lineage to use (default: main)').setAutocomplete(true));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const from = dateOption(i, 'from', true)!;
  const to = dateOption(i, 'to', true)!;
  const portfolio = portfolioOption(i);
  const symbols = i.options.getString('symbols')?.split(',').map((x) => x.trim()).filter(Boolean);
  checkBacktestRequest({ from, to, symbols }, (k) => `\`${k}\``); // refused before "thinking…", in Discord's words
  await deferFor(i);
  const { summary, chart } = await rt.heavy.backtest(
    { portfolio, from, to, version: i.options.getInteger('version') ?? undefined, symbols, actor: discordActor(i) },
    (stage) => void i.editReply({ content: `Backtest ${from} → ${to}: ${stage}…` }).catch(() => undefined),
  );
  await replyWithImage(i, backtestPost(summary, rt.env.MARKET_DATA_PROVIDER === 'demo'), chart.png, chart.filename);
}

export { autocomplete } from '../src/discord/autocomplete.js';
