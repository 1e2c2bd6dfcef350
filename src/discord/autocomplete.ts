import type { AutocompleteInteraction } from 'discord.js';
import { TradingConfig } from '../db/models/trading-config.js';
import { PARAM_KEYS } from '../strategy/config-schema.js';
import { listPortfolios } from '../portfolio/portfolios.js';
import type { CommandContext } from './command-module.js';

/** Choices from memory, refreshed at most once a minute, so answers stay well under Discord's 3 s. */
const TTL_MS = 60_000;
let cache: { at: number; portfolios: string[]; versions: Map<string, number[]> } | undefined;

async function snapshot(): Promise<NonNullable<typeof cache>> {
  if (cache && Date.now() - cache.at < TTL_MS) return cache;
  const portfolios = await listPortfolios();
  const versions = new Map<string, number[]>();
  for (const d of await TradingConfig.find({}, { portfolio: 1, version: 1 }).lean()) {
    versions.set(d.portfolio, [...(versions.get(d.portfolio) ?? []), d.version]);
  }
  cache = { at: Date.now(), portfolios, versions };
  return cache;
}

export function forgetAutocompleteCache(): void {
  cache = undefined;
}

function pick(values: string[], typed: string): Array<{ name: string; value: string }> {
  const t = typed.toLowerCase();
  return values.filter((v) => v.toLowerCase().includes(t)).slice(0, 25).map((v) => ({ name: v, value: v }));
}

/** One autocomplete for every command: portfolios, symbols, jobs, config keys and versions. */
export async function autocomplete(i: AutocompleteInteraction, { rt }: CommandContext): Promise<void> {
  const focused = i.options.getFocused(true);
  const typed = String(focused.value ?? '');
  const s = await snapshot();
  switch (focused.name) {
    case 'name':
    case 'trades':
      return i.respond(pick(s.portfolios, typed));
    case 'symbol':
      return i.respond(pick(rt.env.MARKET_UNIVERSE, typed.toUpperCase()));
    case 'job':
      return i.respond(pick([...rt.jobs.keys()], typed));
    case 'key':
      return i.respond(pick([...PARAM_KEYS], typed));
    case 'version':
    case 'a':
    case 'b': {
      const portfolio = i.options.getString('name') ?? 'main';
      const versions = (s.versions.get(portfolio) ?? []).sort((x, y) => y - x).map(String);
      return i.respond(pick(versions, typed).map((c) => ({ name: `v${c.name}`, value: Number(c.value) })));
    }
    default:
      return i.respond([]);
  }
}
