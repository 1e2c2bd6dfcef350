import { MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext, CommandMeta } from '../src/discord/command-module.js';
import { getHealth } from '../src/health/health-service.js';
import { buildPost } from '../src/notify/post.js';
import { toEmbed } from '../src/notify/render.js';
import { healthPost } from '../src/present/health-view.js';

export const data = new SlashCommandBuilder()
  .setName('health')
  .setDescription('Database, scheduler, outbox backlog and the last run of every job (admins)')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild);

export const meta: CommandMeta = { admin: true };

export async function execute(interaction: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  // Deferred at once: the checks touch the database and must not race Discord's 3-second rule.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const ping = interaction.client.ws.ping;
  const report = await getHealth({
    jobs: rt.jobs, databaseKind: rt.database.kind, schedulerRunning: rt.scheduler !== undefined, startedAt: rt.startedAt,
    providers: { primary: rt.env.MARKET_DATA_PROVIDER, secondary: rt.env.MARKET_DATA_SECONDARY },
    discord: { ready: interaction.client.isReady(), pingMs: ping >= 0 ? ping : null },
  });
  await interaction.editReply({ embeds: [toEmbed(buildPost(healthPost(report)))] });
}
