// Registers every slash command in commands/ with Discord: for one guild when DISCORD_GUILD_ID is
// set (instant, for development), else globally. Run it by hand after changing a command; the bot
// never does this on boot.
import { REST, Routes } from 'discord.js';
import { EnvError, loadEnv } from '../src/config/env.js';
import { loadCommands } from '../src/discord/command-loader.js';

try {
  const env = loadEnv();
  if (!env.DISCORD_TOKEN || !env.DISCORD_APP_ID) {
    console.error('deploy-commands needs DISCORD_TOKEN and DISCORD_APP_ID.');
    process.exit(2);
  }
  const commands = await loadCommands();
  const body = [...commands.values()].map((c) => c.data.toJSON());
  const rest = new REST({ version: '10', ...(env.DISCORD_API_URL ? { api: env.DISCORD_API_URL } : {}) }).setToken(env.DISCORD_TOKEN);
  const route = env.DISCORD_GUILD_ID
    ? Routes.applicationGuildCommands(env.DISCORD_APP_ID, env.DISCORD_GUILD_ID)
    : Routes.applicationCommands(env.DISCORD_APP_ID);
  await rest.put(route, { body });
  console.log(`Registered ${body.length} command(s) ${env.DISCORD_GUILD_ID ? `in guild ${env.DISCORD_GUILD_ID}` : 'globally (may take up to an hour to appear)'}: ${body.map((b) => `/${b.name}`).join(' ')}`);
} catch (err) {
  if (err instanceof EnvError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(`deploy-commands failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
