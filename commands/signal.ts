import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserFacingError } from '../src/errors.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption, portfolioOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import { signalPost } from '../src/present/trading-view.js';
import { findSignal } from '../src/strategy/signal-service.js';
import { requirePortfolio } from '../src/portfolio/portfolios.js';

export const data = new SlashCommandBuilder()
  .setName('signal')
  .setDescription('The allocation signal of a trade date (latest when no date)')
  .addStringOption((o) => o.setName('date').setDescription('Trade date, YYYY-MM-DD'))
  .addStringOption((o) => o.setName('name').setDescription('Portfolio (default: main)').setAutocomplete(true));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const name = portfolioOption(i);
  const date = dateOption(i, 'date');
  await deferFor(i);
  await requirePortfolio(name);
  const s = await findSignal(name, date);
  if (!s) throw new UserFacingError('NO_SIGNAL', date ? `No signal for "${name}" on ${date}.` : `No signal for "${name}" yet.`);
  await replyWithPost(i, signalPost(s, rt.env.MARKET_DATA_PROVIDER === 'demo'));
}

export { autocomplete } from '../src/discord/autocomplete.js';
