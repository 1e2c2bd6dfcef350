import { PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { AuditEntry } from '../src/db/models/audit-entry.js';
import type { CommandContext, CommandMeta } from '../src/discord/command-module.js';
import { auditNoChange } from '../src/discord/actor.js';
import { confirmAction } from '../src/discord/confirm.js';
import { dateOption } from '../src/discord/options.js';
import { followUpWithPost } from '../src/discord/reply.js';
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
  const answer = await confirmAction(i, { kind: 'ops', title: `Re-run ${def.name} for ${date}?`, description: `${def.description}\nIts effects are idempotent: what is already right is not changed or posted twice.` });
  if (answer !== 'confirmed') return auditNoChange(i, 'rerun', `${def.name} ${date}`, 'cancelled');
  const result = await runJob(def, rt.env, { date, force: true, trigger: 'discord' });
  await AuditEntry.create({
    at: new Date(), actorId: i.user.id, actorName: i.user.username, source: 'discord', action: 'rerun', target: `${def.name} ${date}`,
    before: null, after: { status: result.status, attempt: result.attempt }, result: result.status === 'failed' ? 'error' : 'ok', reason: result.error,
  });
  await followUpWithPost(i, runResultPost(result));
}

export { autocomplete } from '../src/discord/autocomplete.js';
