import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandContext } from '../src/discord/command-module.js';
import { pagesOf, replyPaged } from '../src/discord/paginate.js';
import { deferFor, replyWithPost } from '../src/discord/reply.js';
import { historyPage, historyRows, jobsPost, schedulePost } from '../src/present/jobs-view.js';
import { jobHistory, listJobs, requireJob, upcomingRuns } from '../src/scheduler/jobs-service.js';
import { catchUpsInView } from '../src/scheduler/catch-up.js';

const job = (o: import('discord.js').SlashCommandStringOption) => o.setName('job').setDescription('Job name').setRequired(true).setAutocomplete(true);

export const data = new SlashCommandBuilder()
  .setName('jobs')
  .setDescription('Scheduled jobs: next run, last run, duration, outcome')
  .addSubcommand((s) => s.setName('list').setDescription('Every job'))
  .addSubcommand((s) => s.setName('schedule').setDescription('The next 10 runs, in New York time'))
  .addSubcommand((s) => s.setName('history').setDescription('The last runs of a job').addStringOption(job))
  .addSubcommand((s) => s.setName('status').setDescription('Schedule and last run of a job').addStringOption(job));

export async function execute(i: ChatInputCommandInteraction, { rt }: CommandContext): Promise<void> {
  const sub = i.options.getSubcommand(true);
  if (sub === 'schedule') return replyWithPost(i, schedulePost(upcomingRuns(rt.jobs)));
  const name = sub === 'list' ? undefined : i.options.getString('job', true);
  if (name) requireJob(rt.jobs, name); // an unknown job is refused before deferring, privately
  await deferFor(i);
  if (sub === 'history') {
    const rows = historyRows(await jobHistory(rt.jobs, name!, 100));
    return replyPaged(i, pagesOf(rows, 15, (r, page, pages) => historyPage(name!, r, page, pages)));
  }
  const [all, catchUps] = await Promise.all([listJobs(rt.jobs), catchUpsInView()]);
  return replyWithPost(i, jobsPost(name ? all.filter((j) => j.name === name) : all, catchUps));
}

export { autocomplete } from '../src/discord/autocomplete.js';
