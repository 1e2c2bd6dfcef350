import { Client, Events, GatewayIntentBits } from 'discord.js';
import { log } from '../log/logger.js';
import type { Runtime } from '../runtime/runtime.js';
import { loadCommands } from './command-loader.js';
import { dispatchInteraction } from './dispatcher.js';

export interface Bot {
  client: Client;
  stop(): Promise<void>;
}

/** Log in and answer slash commands. Needs DISCORD_TOKEN; DISCORD_API_URL points it elsewhere (tests). */
export async function startBot(rt: Runtime): Promise<Bot> {
  const token = rt.env.DISCORD_TOKEN;
  if (!token) throw new Error('startBot needs DISCORD_TOKEN');
  const logger = log().child({ component: 'discord' });
  const commands = await loadCommands(undefined, (m) => logger.warn(m));
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    ...(rt.env.DISCORD_API_URL ? { rest: { api: rt.env.DISCORD_API_URL, version: '10' } } : {}),
  });
  client.on(Events.InteractionCreate, (interaction) => {
    dispatchInteraction(interaction, commands, { rt }).catch((err: unknown) => logger.error({ err }, 'interaction handler crashed'));
  });
  client.on(Events.Error, (err) => logger.error({ err }, 'discord client error'));
  const ready = new Promise<void>((res) => client.once(Events.ClientReady, () => res()));
  await client.login(token);
  await ready;
  logger.info({ user: client.user?.tag, commands: [...commands.keys()] }, 'discord bot ready');
  return {
    client,
    async stop() {
      await client.destroy();
    },
  };
}
