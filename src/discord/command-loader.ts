import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CommandModule } from './command-module.js';

/** ../../commands from this file: the repository's commands/ under tsx, dist/commands/ when compiled. */
export const COMMANDS_DIR = fileURLToPath(new URL('../../commands/', import.meta.url));

/** Load every module in commands/; a file without `data` or `execute` is skipped with a warning. */
export async function loadCommands(dir = COMMANDS_DIR, warn: (msg: string) => void = console.warn): Promise<Map<string, CommandModule>> {
  const commands = new Map<string, CommandModule>();
  for (const file of readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort()) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as Partial<CommandModule>;
    if (!mod.data || typeof mod.execute !== 'function') {
      warn(`commands/${file} is missing a required "data" or "execute" export`);
      continue;
    }
    commands.set(mod.data.name, mod as CommandModule);
  }
  return commands;
}
