import { PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { AuditEntry } from '../src/db/models/audit-entry.js';
import type { CommandContext, CommandMeta } from '../src/discord/command-module.js';
import { askToConfirm, type PendingAction } from '../src/discord/confirm.js';
import { dateOption } from '../src/discord/options.js';
import type { PostInput } from '../src/notify/post.js';
import { runResultPost } from '../src/present/jobs-view.js';
import { requireJob } from '../src/scheduler/jobs-service.js';
import { runJob, validateRunDate } from '../src/scheduler/run-job.js';

export const data = new SlashCommandBuilder()
  .setName('rerun')
  .setDescription('Run a job again for a trading date (admins, confirmed; idempotent)')
  .addStringOption((o) => o.setName('job').setDescription('Job name').setRequired(true).setAutocomplete(true))
  .addStringOption((o) => o.setName('date').setDescription('Trading date, YYYY-MM-DD').setRequired(true))
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild);

export const meta: CommandMeta = { admin: true };

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const def = requireJob(rt.jobs, i.options.getString('job', true));
  const date = validateRunDate(dateOption(i, 'date', true)!);
  return askToConfirm(i, {
    action: 'rerun', target: `${def.name} ${date}`, payload: { job: def.name, date },
    preview: { kind: 'ops', title: `Re-run ${def.name} for ${date}?`, description: `${def.description}\nIts effects are idempotent: what is already right is not changed or posted twice.` },
  });
}

/** A confirmed re-run: run it (forced, under its run key as always), audit the outcome, post it. */
export async function confirm(_press: unknown, p: PendingAction, { rt }: CommandContext): Promise<PostInput> {
  const { job, date } = p.payload as { job: string; date: string };
  const result = await runJob(requireJob(rt.jobs, job), rt.env, { date, force: true, trigger: 'discord' });
  await AuditEntry.create({
    at: new Date(), actorId: p.actor.id, actorName: p.actor.name, source: 'discord', action: 'rerun', target: p.target,
    before: null, after: { status: result.status, attempt: result.attempt }, result: result.status === 'failed' ? 'error' : 'ok', reason: result.error,
  });
  return runResultPost(result);
}

export { autocomplete } from '../src/discord/autocomplete.js';
