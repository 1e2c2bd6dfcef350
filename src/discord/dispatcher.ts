import { commandLatency } from '../health/metrics.js';
import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type Interaction } from 'discord.js';
import { AuditEntry } from '../db/models/audit-entry.js';
import { describeError, isUserFacingError } from '../errors.js';
import { log } from '../log/logger.js';
import type { CommandContext, CommandModule } from './command-module.js';
import { answerConfirmation, isConfirmButton } from './confirm.js';
import { checkPermissions } from './guard.js';
import { invokerOf } from './invoker.js';
import { isLivePager } from './paginate.js';

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
  if (interaction.isButton()) {
    await answerButton(interaction, commands, ctx).catch((err: unknown) => log().error({ err, customId: interaction.customId }, 'button press failed'));
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

/**
 * Every button press is answered here: Confirm/Cancel from the stored prompt (whichever process asked),
 * page turns by the live pager that owns them, and anything else (a pager from before a restart, a
 * button of an older version) with a private "no longer active" instead of Discord's "interaction failed".
 */
async function answerButton(press: ButtonInteraction, commands: Map<string, CommandModule>, ctx: CommandContext): Promise<void> {
  if (isConfirmButton(press.customId)) return answerConfirmation(press, commands, ctx);
  if (isLivePager(press.customId)) return; // its collector answers
  await press.reply({ content: 'These buttons are no longer active (the command finished, timed out or the bot restarted): run the command again.', flags: MessageFlags.Ephemeral });
}
