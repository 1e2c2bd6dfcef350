import { commandLatency } from '../health/metrics.js';
import { MessageFlags, type ChatInputCommandInteraction, type Interaction } from 'discord.js';
import { AuditEntry } from '../db/models/audit-entry.js';
import { describeError, isUserFacingError } from '../errors.js';
import { log } from '../log/logger.js';
import type { CommandContext, CommandModule } from './command-module.js';
import { checkPermissions, type Invoker } from './guard.js';

export function invokerOf(interaction: ChatInputCommandInteraction): Invoker {
  const member = interaction.member;
  const roles = member && 'roles' in member ? member.roles : undefined;
  const roleIds = Array.isArray(roles) ? roles : roles ? [...roles.cache.keys()] : [];
  return {
    userId: interaction.user.id,
    userName: interaction.user.username,
    roleIds,
    permissions: interaction.memberPermissions?.bitfield ?? 0n,
    inGuild: interaction.inGuild(),
  };
}

/** Answer ephemerally, whether or not the interaction was already answered or deferred. */
export async function replyPrivately(interaction: ChatInputCommandInteraction, content: string): Promise<void> {
  const payload = { content, flags: MessageFlags.Ephemeral } as const;
  if (interaction.deferred && !interaction.replied) {
    // A deferred reply would stay "thinking…" forever: remove it, then answer privately.
    await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp(payload);
  } else if (interaction.replied) await interaction.followUp(payload);
  else await interaction.reply(payload);
}

/** The one interactionCreate handler: routing, the permission guard, audit of denials, error replies. */
export async function dispatchInteraction(interaction: Interaction, commands: Map<string, CommandModule>, ctx: CommandContext): Promise<void> {
  if (interaction.isAutocomplete()) {
    const cmd = commands.get(interaction.commandName);
    await cmd?.autocomplete?.(interaction, ctx).catch((err: unknown) => log().warn({ err, command: interaction.commandName }, 'autocomplete failed'));
    return;
  }
  if (!interaction.isChatInputCommand()) return;
  const cmd = commands.get(interaction.commandName);
  const logger = log().child({ command: interaction.commandName, user: interaction.user.id });
  if (!cmd) {
    await replyPrivately(interaction, `Unknown command /${interaction.commandName}.`);
    return;
  }
  const who = invokerOf(interaction);
  const sub = interaction.options.getSubcommand(false);
  const verdict = checkPermissions(cmd.meta, who, ctx.rt.env.DISCORD_ADMIN_ROLE_IDS, sub);
  if (!verdict.ok) {
    await AuditEntry.create({
      at: new Date(), actorId: who.userId, actorName: who.userName, source: 'discord',
      action: `/${interaction.commandName}${sub ? ` ${sub}` : ''}`,
      result: 'denied', reason: verdict.code,
    });
    logger.warn({ code: verdict.code }, 'command denied');
    await replyPrivately(interaction, verdict.message);
    return;
  }
  const stopTimer = commandLatency.startTimer({ command: interaction.commandName });
  try {
    await cmd.execute(interaction, ctx);
  } catch (err) {
    if (isUserFacingError(err)) {
      await replyPrivately(interaction, err.message).catch(() => undefined);
      return;
    }
    logger.error({ err }, 'command failed');
    await replyPrivately(interaction, `Something went wrong running /${interaction.commandName}; it has been logged.`).catch((e: unknown) =>
      logger.error({ err: describeError(e) }, 'could not send the error reply'),
    );
  } finally {
    stopTimer();
  }
}
