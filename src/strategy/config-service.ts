import { UserFacingError } from '../errors.js';
import { PORTFOLIO_NAME } from '../portfolio/names.js';
import { DEFAULT_PARAMS, PARAM_KEYS, TEXT_KEYS, validateParams, type StrategyParams } from './config-schema.js';
import { listPortfolios } from '../portfolio/portfolios.js';
import { activateNewVersion, getActiveConfig, getVersion, listVersions, type Actor, type ConfigVersion } from './config-versions.js';

export interface ParamChange {
  key: string;
  from: unknown;
  to: unknown;
}

/** What differs between two parameter sets, key by key (pure). */
export function diffParams(a: StrategyParams, b: StrategyParams): ParamChange[] {
  return PARAM_KEYS.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => ({ key: k, from: a[k], to: b[k] }));
}

const DECIMAL = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Parse `key=value` assignments into typed values (pure): numbers for numeric keys, a
 * comma-separated list for `assets`. Unknown keys and unreadable values are refused by name.
 */
export function parseAssignments(assignments: string[]): Partial<StrategyParams> {
  if (assignments.length === 0) throw new UserFacingError('USAGE', `config set needs key=value pairs; keys: ${PARAM_KEYS.join(', ')}.`);
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const a of assignments) {
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(0, eq).trim() : a.trim();
    const raw = eq > 0 ? a.slice(eq + 1).trim() : '';
    if (eq <= 0 || raw === '') {
      problems.push(`"${a}" is not key=value`);
      continue;
    }
    if (!(PARAM_KEYS as string[]).includes(key)) {
      problems.push(`unknown key "${key}"; allowed keys: ${PARAM_KEYS.join(', ')}`);
      continue;
    }
    if (seen.has(key)) {
      problems.push(`${key} is given more than once; give each key once`);
      continue;
    }
    seen.add(key);
    if (key === 'assets') {
      out[key] = raw.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
      continue;
    }
    if (key === 'idea_criteria') {
      out[key] = raw.toLowerCase() === 'none' ? [] : raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      continue;
    }
    const words = TEXT_KEYS[key as keyof StrategyParams];
    if (words) {
      if (!words.includes(raw.toLowerCase())) problems.push(`${key} must be ${words.join(' or ')} (got "${raw}")`);
      else out[key] = raw.toLowerCase();
      continue;
    }
    // Decimal notation only: Number() would also read "0x10" as 16, "1e3" as 1000 and " " as 0.
    if (!DECIMAL.test(raw)) {
      problems.push(`${key} must be a decimal number such as 2000 or 0.25 (got "${raw}")`);
      continue;
    }
    out[key] = Number(raw);
  }
  if (problems.length) throw new UserFacingError('INVALID_CONFIG', `The configuration was not changed:\n${problems.map((p) => `• ${p}`).join('\n')}`, { problems });
  return out as Partial<StrategyParams>;
}

/** Reads never create a portfolio: only 'main' exists implicitly; others begin with their first `config set`. */
async function requireKnown(portfolio: string): Promise<void> {
  if (portfolio === 'main') return;
  const known = await listPortfolios();
  if (!known.includes(portfolio)) {
    throw new UserFacingError('UNKNOWN_PORTFOLIO', `There is no portfolio "${portfolio}". Portfolios: ${known.join(', ')}. An admin creates one with \`signaldesk portfolio create ${/^[a-z0-9-]{1,32}$/.test(portfolio) ? portfolio : '<name>'}\`.`);
  }
}

export async function showConfig(portfolio: string, version?: number): Promise<ConfigVersion & { defaults: StrategyParams }> {
  await requireKnown(portfolio);
  const v = version === undefined ? await getActiveConfig(portfolio) : await getVersion(portfolio, version);
  return { ...v, defaults: DEFAULT_PARAMS };
}

export async function configHistory(portfolio: string): Promise<ConfigVersion[]> {
  await requireKnown(portfolio);
  return listVersions(portfolio);
}

export async function configDiff(portfolio: string, a: number, b: number): Promise<{ a: number; b: number; changes: ParamChange[] }> {
  await requireKnown(portfolio);
  const [va, vb] = await Promise.all([getVersion(portfolio, a), getVersion(portfolio, b)]);
  return { a, b, changes: diffParams(va.params, vb.params) };
}

/** What `set` would change, fully validated, without writing anything (shown before a confirmation). */
export async function previewSet(portfolio: string, assignments: string[]): Promise<{ from: number; changes: ParamChange[]; activeParams: StrategyParams; params: StrategyParams }> {
  const changes = parseAssignments(assignments);
  await requireKnown(portfolio);
  const active = await getActiveConfig(portfolio);
  const next = { ...active.params, ...changes };
  const checked = validateParams(next);
  if (!checked.ok) throw new UserFacingError('INVALID_CONFIG', `The configuration was not changed:\n${checked.problems.map((p) => `• ${p}`).join('\n')}`, { problems: checked.problems });
  const diff = diffParams(active.params, checked.params);
  if (diff.length === 0) throw new UserFacingError('NO_CHANGE', `Nothing to change: version ${active.version} already has ${assignments.join(', ')}.`);
  return { from: active.version, changes: diff, activeParams: active.params, params: checked.params };
}

/** Apply key=value changes to the active version → a new, validated, audited version. */
export async function setConfig(portfolio: string, assignments: string[], actor: Actor, notes?: string): Promise<{ version: ConfigVersion; changes: ParamChange[] }> {
  const changes = parseAssignments(assignments);
  await requireKnown(portfolio);
  const active = await getActiveConfig(portfolio);
  const next = { ...active.params, ...changes };
  const diff = diffParams(active.params, next as StrategyParams);
  if (diff.length === 0) throw new UserFacingError('NO_CHANGE', `Nothing to change: version ${active.version} already has ${assignments.join(', ')}.`);
  const version = await activateNewVersion(portfolio, next, { actor, notes: notes ?? `set ${diff.map((d) => d.key).join(', ')}`, action: 'config.set' });
  return { version, changes: diff };
}

/** A new version that copies version `v` (history is never rewritten). */
export async function rollbackConfig(portfolio: string, v: number, actor: Actor): Promise<{ version: ConfigVersion; changes: ParamChange[] }> {
  await requireKnown(portfolio);
  const target = await getVersion(portfolio, v);
  const active = await getActiveConfig(portfolio);
  if (active.version === v) throw new UserFacingError('NO_CHANGE', `Version ${v} is already the active version.`);
  const version = await activateNewVersion(portfolio, target.params, { actor, notes: `rollback to v${v}`, parentVersion: v, action: 'config.rollback' });
  return { version, changes: diffParams(active.params, target.params) };
}

export async function configReport(portfolio: string, v: number): Promise<{ version: number; report: string }> {
  await requireKnown(portfolio);
  const doc = await getVersion(portfolio, v);
  if (!doc.report) throw new UserFacingError('NO_REPORT', `Version ${v} has no tuning report (only versions written by strategy-tuning do).`);
  return { version: v, report: doc.report };
}

export { PORTFOLIO_NAME, PORTFOLIO_REF } from '../portfolio/names.js';

/** Create a portfolio deliberately (admins): version 1 holds the default parameters; audited. */
/** A new portfolio's name is usable and free (refused with what is allowed, before anything is asked or written). */
export async function checkNewPortfolio(name: string): Promise<void> {
  if (!PORTFOLIO_NAME.test(name)) {
    throw new UserFacingError('BAD_NAME', `"${name}" is not a usable portfolio name: use 1 to 32 lower-case letters, digits or dashes (e.g. swing-2).`);
  }
  if ((await listPortfolios()).includes(name)) throw new UserFacingError('EXISTS', `Portfolio "${name}" already exists.`);
}

export async function createPortfolio(name: string, actor: Actor): Promise<ConfigVersion> {
  await checkNewPortfolio(name);
  return activateNewVersion(name, DEFAULT_PARAMS, { actor, notes: 'portfolio created with the default configuration', action: 'portfolio.create', origin: 'seed', startDate: '2000-01-01' });
}
