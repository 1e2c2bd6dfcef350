import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { IsoDate } from '../src/calendar/dates.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import { brewView, latestBrewDate } from '../src/world/brew-service.js';

export const data = new SlashCommandBuilder()
  .setName('brew')
  .setDescription('The morning brief again: the 06:00 brew, or the 07:30 one with the names worth a look')
  .addStringOption((o) => o.setName('date').setDescription('A trading date, YYYY-MM-DD (default: the latest)'))
  .addStringOption((o) => o.setName('which').setDescription('Which brief').addChoices({ name: '06:00 (early)', value: 'early' }, { name: '07:30 (main)', value: 'main' }));

export async function execute(i: ChatInputCommandInteraction, _ctx: CommandContext): Promise<void> {
  const which = (i.options.getString('which') ?? 'main') as 'early' | 'main';
  const date = (dateOption(i, 'date') as IsoDate | undefined) ?? latestBrewDate(which);
  const post = await brewView(date, which); // a missing brief is a clear private answer
  await deferFor(i);
  await replyWithPost(i, post);
}
