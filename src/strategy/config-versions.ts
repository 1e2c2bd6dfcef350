import { todayIn, type IsoDate } from '../calendar/dates.js';
import { CALENDAR_FIRST_YEAR, MARKET_ZONE } from '../calendar/nyse.js';
import { isDuplicateKey } from '../db/connection.js';
import { AuditEntry } from '../db/models/audit-entry.js';
import { ConfigSwitch, TradingConfig } from '../db/models/trading-config.js';
import { UserFacingError, isUserFacingError } from '../errors.js';
import { SYSTEM_ACTOR, type Actor } from '../config/actor.js';
import { listPortfolios } from '../portfolio/portfolios.js';
import { DEFAULT_PARAMS, validateParams, type StrategyParams } from './config-schema.js';

export { SYSTEM_ACTOR, type Actor } from '../config/actor.js';

export interface ConfigVersion {
  portfolio: string;
  version: number;
  params: StrategyParams;
  startDate: IsoDate;
  endDate: IsoDate | null;
  createdBy: string;
  createdAt: string;
  notes: string;
  parentVersion: number | null;
}

interface NewVersionDoc {
  portfolio: string;
  version: number;
  params: StrategyParams;
  startDate: IsoDate;
  endDate: null;
  activeSlot: string;
  createdBy: string;
  createdAt: Date;
  notes: string;
  parentVersion: number | null;
  report: string | null;
  origin: string | null;
}

const LATER_KEYS = { alert_position_drop_pct: DEFAULT_PARAMS.alert_position_drop_pct, alert_portfolio_drop_pct: DEFAULT_PARAMS.alert_portfolio_drop_pct, alert_stop_loss_pct: DEFAULT_PARAMS.alert_stop_loss_pct,
  idea_criteria: DEFAULT_PARAMS.idea_criteria, ideas_per_slot: DEFAULT_PARAMS.ideas_per_slot, idea_sides: DEFAULT_PARAMS.idea_sides, idea_stop_atr: DEFAULT_PARAMS.idea_stop_atr,
  idea_min_gap_pct: DEFAULT_PARAMS.idea_min_gap_pct, idea_min_rel_volume: DEFAULT_PARAMS.idea_min_rel_volume };
const inactiveSlot = (portfolio: string, version: number) => `${portfolio}#${version}`;
/** A switch record older than this belongs to a crashed process and is rolled forward. */
const STALE_SWITCH_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

function toView(d: { portfolio: string; version: number; params: unknown; startDate: string; endDate?: string | null; createdBy: string; createdAt: Date; notes?: string | null; parentVersion?: number | null }): ConfigVersion {
  return {
    portfolio: d.portfolio,
    version: d.version,
    // Keys added after a version was written read as their defaults (the alert thresholds, #21).
    params: { ...LATER_KEYS, ...(d.params as StrategyParams) },
    startDate: d.startDate,
    endDate: d.endDate ?? null,
    createdBy: d.createdBy,
    createdAt: d.createdAt.toISOString(),
    notes: d.notes ?? '',
    parentVersion: d.parentVersion ?? null,
  };
}

/**
 * Finish (or discard) a switch that a crashed process left half done. Every step is idempotent,
 * so two processes recovering the same switch converge on the same state.
 */
async function applySwitch(portfolio: string, sw: { _id: unknown; doc?: NewVersionDoc | null; endDate: string }): Promise<void> {
  const doc = sw.doc;
  if (doc) {
    const current = await TradingConfig.findOne({ activeSlot: portfolio }).lean();
    if (current && current.version !== doc.version) {
      await TradingConfig.updateOne(
        { _id: current._id, activeSlot: portfolio },
        { $set: { activeSlot: inactiveSlot(portfolio, current.version), endDate: sw.endDate } },
      );
    }
    try {
      await TradingConfig.collection.insertOne({ ...doc });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Inserted by an earlier attempt; make sure it is the active one.
      await TradingConfig.updateOne({ portfolio, version: doc.version }, { $set: { activeSlot: portfolio, endDate: null } });
    }
  }
  await ConfigSwitch.deleteOne({ _id: sw._id });
}

async function acquireSwitch(portfolio: string, endDate: IsoDate): Promise<unknown> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const sw = await ConfigSwitch.create({ portfolio, toVersion: -1, endDate, createdAt: new Date() });
      return sw._id;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const held = await ConfigSwitch.findOne({ portfolio }).lean();
    if (held && Date.now() - held.createdAt.getTime() > STALE_SWITCH_MS) {
      await applySwitch(portfolio, held as unknown as { _id: unknown; doc?: NewVersionDoc | null; endDate: string });
      continue;
    }
    if (Date.now() > deadline) {
      throw new UserFacingError('CONFIG_BUSY', `Another configuration change for portfolio "${portfolio}" is in progress; try again in a moment.`);
    }
    await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
  }
}

/** Roll forward any switch left by a crash, so reads see exactly one active version. */
export async function recoverSwitches(portfolio: string): Promise<void> {
  const held = await ConfigSwitch.findOne({ portfolio }).lean();
  if (held && Date.now() - held.createdAt.getTime() > STALE_SWITCH_MS) {
    await applySwitch(portfolio, held as unknown as { _id: unknown; doc?: NewVersionDoc | null; endDate: string });
  }
}

export interface NewVersionOptions {
  actor: Actor;
  notes?: string;
  parentVersion?: number | null;
  /** First day the version applies (default: today in New York). */
  startDate?: IsoDate;
  /** Last day of the version it replaces (default: today, or the day before startDate if later). */
  endDate?: IsoDate;
  report?: string | null;
  action?: string;
  /**
   * Makes the change idempotent: when a version with this origin exists for the portfolio (checked
   * under the switch lock), it is returned and nothing changes. Monthly tuning passes "tuning:YYYY-MM".
   */
  origin?: string;
}

/** The version a given origin made, if any. */
export async function versionByOrigin(portfolio: string, origin: string): Promise<ConfigVersion | null> {
  const doc = await TradingConfig.findOne({ portfolio, origin }).sort({ version: 1 }).lean();
  return doc ? toView(doc) : null;
}

/**
 * Validate `params`, then make them the portfolio's new active version. Exactly one version is
 * active at any time: the unique index on activeSlot refuses a second, and the switch record
 * serialises concurrent changes and lets a crashed change be finished by the next caller.
 * Invalid parameters are refused with every problem named; nothing changes.
 */
export async function activateNewVersion(portfolio: string, rawParams: unknown, opts: NewVersionOptions): Promise<ConfigVersion> {
  const checked = validateParams(rawParams);
  const today = todayIn(MARKET_ZONE);
  const action = opts.action ?? 'config.set';
  if (!checked.ok) {
    await AuditEntry.create({
      at: new Date(), actorId: opts.actor.id, actorName: opts.actor.name, source: opts.actor.source, action,
      target: portfolio, after: rawParams, result: 'refused', reason: checked.problems.join('; '),
    });
    throw new UserFacingError('INVALID_CONFIG', `The configuration was not changed:\n${checked.problems.map((p) => `• ${p}`).join('\n')}`, { problems: checked.problems });
  }
  const startDate = opts.startDate ?? today;
  const endDate = opts.endDate ?? today;
  const lockId = await acquireSwitch(portfolio, endDate);
  try {
    if (opts.origin) {
      const made = await versionByOrigin(portfolio, opts.origin);
      if (made) {
        await ConfigSwitch.deleteOne({ _id: lockId, toVersion: -1 });
        return made;
      }
    }
    const current = await TradingConfig.findOne({ activeSlot: portfolio }).lean();
    const last = await TradingConfig.findOne({ portfolio }).sort({ version: -1 }).lean();
    const doc: NewVersionDoc = {
      portfolio,
      version: (last?.version ?? 0) + 1,
      params: checked.params,
      startDate,
      endDate: null,
      activeSlot: portfolio,
      createdBy: `${opts.actor.source}:${opts.actor.name}`,
      createdAt: new Date(),
      notes: opts.notes ?? '',
      parentVersion: opts.parentVersion !== undefined ? opts.parentVersion : (current?.version ?? null),
      report: opts.report ?? null,
      origin: opts.origin ?? null,
    };
    // Record the intent before the first effect: a crash from here on is rolled forward.
    await ConfigSwitch.updateOne({ _id: lockId }, { $set: { toVersion: doc.version, doc } });
    await applySwitch(portfolio, { _id: lockId, doc, endDate });
    await AuditEntry.create({
      at: new Date(), actorId: opts.actor.id, actorName: opts.actor.name, source: opts.actor.source, action,
      target: `${portfolio} v${doc.version}`, before: current ? { version: current.version, params: current.params } : null,
      after: { version: doc.version, params: doc.params }, result: 'ok', reason: opts.notes ?? null,
    });
    return toView(doc);
  } catch (err) {
    await ConfigSwitch.deleteOne({ _id: lockId, toVersion: -1 }).catch(() => undefined);
    throw err;
  }
}

/**
 * The active version; the spec's defaults become version 1 the first time a portfolio is used.
 * Another process may be in the middle of a switch (or of that first seeding) right now: between
 * its two steps no version is active for a moment, so a missing active version is waited for while a
 * switch is in progress, and only reported when none is.
 */
export async function getActiveConfig(portfolio = 'main'): Promise<ConfigVersion> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const active = await TradingConfig.findOne({ activeSlot: portfolio }).lean();
    if (active) return toView(active);
    await recoverSwitches(portfolio);
    const again = await TradingConfig.findOne({ activeSlot: portfolio }).lean();
    if (again) return toView(again);
    const [any, switching] = await Promise.all([TradingConfig.countDocuments({ portfolio }), ConfigSwitch.exists({ portfolio })]);
    if (any === 0 && !switching && portfolio !== 'main') {
      // Portfolios are created deliberately (portfolio create), never as a side effect of a read or a set.
      throw new UserFacingError('UNKNOWN_PORTFOLIO', `There is no portfolio "${portfolio}". An admin creates one with \`signaldesk portfolio create <name>\`.`);
    }
    if (any === 0 && !switching) {
      try {
        // The defaults apply from the first day the calendar knows, so historical runs and backtests find them in force.
        return await activateNewVersion(portfolio, DEFAULT_PARAMS, { actor: SYSTEM_ACTOR, notes: 'Default configuration (spec table)', action: 'config.seed', startDate: `${CALENDAR_FIRST_YEAR}-01-01`, origin: 'seed' });
      } catch (err) {
        if (!isUserFacingError(err) || err.code !== 'CONFIG_BUSY') {
          const seeded = await TradingConfig.findOne({ activeSlot: portfolio }).lean();
          if (seeded) return toView(seeded);
          throw err;
        }
      }
    } else if (!switching && Date.now() > deadline) {
      throw new UserFacingError('NO_ACTIVE_CONFIG', `Portfolio "${portfolio}" has versions but none is active and no switch is pending; roll back to a version to repair it.`);
    }
    if (Date.now() > deadline + LOCK_WAIT_MS) {
      throw new UserFacingError('CONFIG_BUSY', `A configuration change for portfolio "${portfolio}" has been in progress for too long; try again in a moment.`);
    }
    await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
  }
}

export async function countActive(portfolio: string): Promise<number> {
  return TradingConfig.countDocuments({ portfolio, endDate: null });
}

/** The version in force on a date (startDate ≤ date ≤ endDate), else the active one. */
export async function configForDate(portfolio: string, date: IsoDate): Promise<ConfigVersion> {
  const active = await getActiveConfig(portfolio);
  const dated = await TradingConfig.findOne({ portfolio, startDate: { $lte: date }, $or: [{ endDate: null }, { endDate: { $gte: date } }] })
    .sort({ version: -1 })
    .lean();
  return dated ? toView(dated) : active;
}

export async function getVersion(portfolio: string, version: number): Promise<ConfigVersion & { report: string | null }> {
  if (!Number.isInteger(version) || version < 1) throw new UserFacingError('BAD_VERSION', `Version "${version}" is not a version number: use 1, 2, ….`);
  const doc = await TradingConfig.findOne({ portfolio, version }).lean();
  if (!doc) {
    const versions = (await TradingConfig.find({ portfolio }).sort({ version: 1 }).lean()).map((d) => d.version);
    throw new UserFacingError('UNKNOWN_VERSION', `Portfolio "${portfolio}" has no config version ${version}; versions: ${versions.join(', ') || 'none'}.`);
  }
  return { ...toView(doc), report: doc.report ?? null };
}

export async function listVersions(portfolio: string): Promise<ConfigVersion[]> {
  await getActiveConfig(portfolio);
  return (await TradingConfig.find({ portfolio }).sort({ version: -1 }).lean()).map(toView);
}

/** Every portfolio that has a configuration ('main' always exists). */
/** Every portfolio and the union of their active assets (what the daily jobs load bars for). */
export async function portfoliosAndAssets(): Promise<{ portfolios: string[]; symbols: string[] }> {
  const portfolios = await listPortfolios();
  const symbols = new Set<string>();
  for (const p of portfolios) for (const s of (await getActiveConfig(p)).params.assets) symbols.add(s);
  return { portfolios, symbols: [...symbols] };
}
