import { ActionRowBuilder, ButtonBuilder, ButtonStyle, MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { isDuplicateKey } from '../db/connection.js';
import { AuditEntry } from '../db/models/audit-entry.js';
import { Confirmation, ConfirmationAnswer } from '../db/models/confirmation.js';
import { describeError, isUserFacingError } from '../errors.js';
import { log } from '../log/logger.js';
import { buildPost, type PostInput } from '../notify/post.js';
import { toEmbed } from '../notify/render.js';
import type { CommandContext, CommandModule, PendingAction } from './command-module.js';
import { checkPermissions } from './guard.js';
import { invokerOf } from './invoker.js';

export const CONFIRM_TTL_MS = 60_000;
const CONFIRM = 'confirm:';
const CANCEL = 'cancel:';

/** What a command asks to confirm; `payload` is what its `confirm` handler needs to act (validated already). */
export interface ConfirmRequest {
  /** The audited action, e.g. `config.set`. */
  action: string;
  target: string;
  payload: Record<string, unknown>;
  preview: PostInput;
  ttlMs?: number;
  /** Button labels (default Confirm / Cancel). */
  labels?: { confirm: string; cancel: string };
  /** A PNG shown in the prompt's embed. */
  image?: { png: Buffer; filename: string };
  /** Check the presser's permission as this subcommand (e.g. `set` for a simulation's Activate). */
  guardAs?: string;
}

/** A stored prompt as a command's `confirm` handler receives it. */
export type { PendingAction } from './command-module.js';

export type Answer = 'confirmed' | 'cancelled' | 'timeout' | 'expired';

/**
 * Ask the invoker to confirm a state change with Confirm/Cancel buttons. The prompt is stored in
 * MongoDB (who, what, until when) before it is shown, so any bot process, including one started after
 * a restart, answers the press (answerConfirmation). This process also closes the prompt when no one
 * answered in time; after a restart the press itself finds it expired.
 */
export async function askToConfirm(i: ChatInputCommandInteraction, req: ConfirmRequest): Promise<void> {
  const ttlMs = req.ttlMs ?? CONFIRM_TTL_MS;
  const now = new Date();
  await Confirmation.create({
    _id: i.id, command: i.commandName, subcommand: req.guardAs ?? i.options.getSubcommand(false), action: req.action, target: req.target, payload: req.payload,
    invokerId: i.user.id, invokerName: i.user.username, createdAt: now, expiresAt: new Date(now.getTime() + ttlMs),
  });
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(`${CONFIRM}${i.id}`).setLabel(req.labels?.confirm ?? 'Confirm').setStyle(ButtonStyle.Danger),
    new ButtonBuilder().setCustomId(`${CANCEL}${i.id}`).setLabel(req.labels?.cancel ?? 'Cancel').setStyle(ButtonStyle.Secondary),
  );
  const embed = { ...toEmbed(buildPost(req.preview)), ...(req.image ? { image: { url: `attachment://${req.image.filename}` } } : {}) };
  const files = req.image ? [{ attachment: req.image.png, name: req.image.filename }] : [];
  // A deferred command (a simulation took a while) asks in its reply; otherwise privately at once.
  if (i.deferred) await i.editReply({ content: '', embeds: [embed], components: [row], files });
  else await i.reply({ embeds: [embed], components: [row], files, flags: MessageFlags.Ephemeral });
  const timer = setTimeout(() => {
    void closeUnanswered(i, req, ttlMs).catch((err: unknown) => log().warn({ err: describeError(err), prompt: i.id }, 'could not close an unanswered prompt'));
  }, ttlMs);
  timer.unref();
}

async function closeUnanswered(i: ChatInputCommandInteraction, req: ConfirmRequest, ttlMs: number): Promise<void> {
  if (!(await takeAnswer(i.id, 'timeout', 'system'))) return;
  await audit({ id: i.user.id, name: i.user.username }, req.action, req.target, `no answer within ${Math.round(ttlMs / 1000)} s`);
  await i.editReply({ content: 'No answer in time: nothing changed.', components: [] }).catch(() => undefined);
}

/** The one answer a prompt gets, by unique insert: false when it already has one. */
async function takeAnswer(id: string, answer: Answer, by: string): Promise<boolean> {
  try {
    await ConfirmationAnswer.create({ _id: id, answer, by, at: new Date() });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

async function audit(who: { id: string; name: string }, action: string, target: string, reason: string): Promise<void> {
  await AuditEntry.create({ at: new Date(), actorId: who.id, actorName: who.name, source: 'discord', action, target, result: 'cancelled', reason });
}

export function isConfirmButton(customId: string): boolean {
  return customId.startsWith(CONFIRM) || customId.startsWith(CANCEL);
}

const privately = (content: string) => ({ content, flags: MessageFlags.Ephemeral }) as const;

/**
 * Answer a Confirm/Cancel press from the stored prompt: act when it is still open and the presser is
 * its invoker (and still allowed to run the command); otherwise say why nothing changed. A prompt is
 * answered once, whichever process or press comes first.
 */
export async function answerConfirmation(press: ButtonInteraction, commands: Map<string, CommandModule>, ctx: CommandContext): Promise<void> {
  const confirm = press.customId.startsWith(CONFIRM);
  const id = press.customId.slice(confirm ? CONFIRM.length : CANCEL.length);
  const pending = await Confirmation.findById(id).lean();
  if (!pending) return void (await press.reply(privately('This prompt is no longer known (answered or cleaned up): nothing changed. Run the command again.')));
  if (press.user.id !== pending.invokerId) return void (await press.reply(privately('Only the person who ran the command can confirm it.')));
  const cmd = commands.get(pending.command);
  const verdict = checkPermissions(cmd?.meta, invokerOf(press), ctx.rt.env.DISCORD_ADMIN_ROLE_IDS, pending.subcommand);
  if (!verdict.ok) return void (await press.reply(privately(`${verdict.message} Nothing changed.`)));
  const expired = Date.now() >= pending.expiresAt.getTime();
  const answer: Answer = expired ? 'expired' : confirm ? 'confirmed' : 'cancelled';
  if (!(await takeAnswer(id, answer, press.user.id))) {
    const earlier = await ConfirmationAnswer.findById(id).lean();
    return void (await press.reply(privately(`This prompt was already answered (${earlier?.answer ?? 'answered'}): nothing more was done.`)));
  }
  const who = { id: pending.invokerId, name: pending.invokerName };
  if (answer !== 'confirmed') {
    await audit(who, pending.action, pending.target, expired ? 'expired before it was confirmed' : 'cancelled');
    const seconds = Math.round((pending.expiresAt.getTime() - pending.createdAt.getTime()) / 1000);
    await press.update({ content: expired ? `This prompt expired (it was open for ${seconds} s): nothing changed. Run /${pending.command} again.` : 'Cancelled: nothing changed.', components: [] });
    return;
  }
  await press.update({ content: 'Confirmed: applying…', components: [] });
  if (!cmd?.confirm) {
    log().error({ command: pending.command }, 'a confirmed prompt has no handler');
    return void (await press.followUp(privately(`/${pending.command} cannot act on a confirmation in this version: nothing changed.`)));
  }
  const action: PendingAction = {
    id, command: pending.command, action: pending.action, target: pending.target,
    payload: (pending.payload ?? {}) as Record<string, unknown>, actor: { id: pending.invokerId, name: pending.invokerName, source: 'discord' },
  };
  try {
    const post = await cmd.confirm(press, action, ctx);
    if (post) await press.followUp({ embeds: [toEmbed(buildPost(post))] });
  } catch (err) {
    if (isUserFacingError(err)) return void (await press.followUp(privately(err.message)));
    log().error({ err, command: pending.command, action: pending.action }, 'confirmed action failed');
    await press.followUp(privately(`Something went wrong applying ${pending.action}; it has been logged.`));
  }
}
