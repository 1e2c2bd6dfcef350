import { hintDate } from '../src/market-data/ensure-history.js';
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserFacingError } from '../src/errors.js';
import { findScan, requireScan, SCAN_NAMES, scanPost } from '../src/analysis/scan-service.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { dateOption } from '../src/discord/options.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';

export const data = new SlashCommandBuilder()
  .setName('scan')
  .setDescription('The stored result of a universe scan (latest when no date)')
  .addStringOption((o) => o.setName('name').setDescription('Scan (default: next-day-prep)').addChoices(...SCAN_NAMES.map((n) => ({ name: n, value: n }))))
  .addStringOption((o) => o.setName('date').setDescription('Trading date, YYYY-MM-DD'));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const name = requireScan(i.options.getString('name') ?? 'next-day-prep');
  const date = dateOption(i, 'date');
  await deferFor(i);
  const s = await findScan(name, date);
  if (!s) throw new UserFacingError('NO_SCAN', `No ${name} result${date ? ` for ${date}` : ' yet'}; an admin can run it with /rerun job:${name} date:${date ?? (await hintDate())}.`);
  await replyWithPost(i, scanPost(s, rt.env.MARKET_DATA_PROVIDER === 'demo'));
}
