import { DateTime } from 'luxon';
import { z } from 'zod';
import { MARKET_ZONE } from '../calendar/nyse.js';
import { AlertPolicy } from '../db/models/alert-policy.js';
import { AuditEntry } from '../db/models/audit-entry.js';
import { UserFacingError } from '../errors.js';
import type { Actor } from '../config/actor.js';
import { ALERT_TYPES, type AlertType, type Post } from './post.js';

export const ALERT_MODES = ['on', 'silent', 'off'] as const;
export type AlertMode = (typeof ALERT_MODES)[number];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24-hour, New York), e.g. 22:00');

export interface Route {
  mode: AlertMode;
  channelId: string | null;
}

export interface Policy {
  routes: Record<AlertType, Route>;
  /** New York wall-clock window; it may wrap midnight (22:00–07:00). */
  quiet: { start: string; end: string } | null;
}

export function defaultPolicy(): Policy {
  return { routes: Object.fromEntries(ALERT_TYPES.map((t) => [t, { mode: 'on', channelId: null }])) as Record<AlertType, Route>, quiet: null };
}

function minutes(t: string): number {
  const [h, m] = t.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export function inQuietHours(quiet: Policy['quiet'], now: Date): boolean {
  if (!quiet) return false;
  const local = DateTime.fromJSDate(now, { zone: MARKET_ZONE });
  const t = local.hour * 60 + local.minute;
  const s = minutes(quiet.start);
  const e = minutes(quiet.end);
  return s <= e ? t >= s && t < e : t >= s || t < e;
}

export interface Decision {
  deliver: boolean;
  silent: boolean;
  channelId: string | null;
  why: string;
}

/** What to do with a due post (pure): off → keep but do not send; silent or quiet hours → no notification; urgent ops bypass quiet hours. */
export function decide(policy: Policy, post: Post, now: Date): Decision {
  const route = policy.routes[post.kind] ?? { mode: 'on', channelId: null };
  if (route.mode === 'off') return { deliver: false, silent: false, channelId: route.channelId, why: `${post.kind} alerts are off` };
  if (route.mode === 'silent') return { deliver: true, silent: true, channelId: route.channelId, why: `${post.kind} alerts are silent` };
  if (inQuietHours(policy.quiet, now) && !(post.urgent && post.kind === 'ops')) {
    return { deliver: true, silent: true, channelId: route.channelId, why: 'quiet hours' };
  }
  return { deliver: true, silent: false, channelId: route.channelId, why: 'on' };
}

let cached: { at: number; policy: Policy } | undefined;

export async function loadPolicy(maxAgeMs = 15_000): Promise<Policy> {
  if (cached && Date.now() - cached.at < maxAgeMs) return cached.policy;
  const doc = await AlertPolicy.findOne({ key: 'global' }).lean();
  const policy = defaultPolicy();
  if (doc) {
    Object.assign(policy.routes, doc.routes as Record<string, Route>);
    policy.quiet = (doc.quiet as Policy['quiet']) ?? null;
  }
  cached = { at: Date.now(), policy };
  return policy;
}

async function save(next: Policy, actor: Actor, action: string, before: unknown, after: unknown): Promise<Policy> {
  await AlertPolicy.updateOne(
    { key: 'global' },
    { $set: { routes: next.routes, quiet: next.quiet, updatedBy: `${actor.source}:${actor.name}`, updatedAt: new Date() } },
    { upsert: true },
  );
  await AuditEntry.create({ at: new Date(), actorId: actor.id, actorName: actor.name, source: actor.source, action, target: 'alerts', before, after, result: 'ok' });
  cached = undefined;
  return loadPolicy(0);
}

export async function setRoute(kind: string, change: { mode?: string; channelId?: string | null }, actor: Actor): Promise<Policy> {
  if (!(ALERT_TYPES as readonly string[]).includes(kind)) throw new UserFacingError('BAD_OPTION', `"${kind}" is not an alert type; allowed: ${ALERT_TYPES.join(', ')}.`);
  if (change.mode !== undefined && !(ALERT_MODES as readonly string[]).includes(change.mode)) {
    throw new UserFacingError('BAD_OPTION', `mode "${change.mode}" is not allowed; allowed: ${ALERT_MODES.join(', ')}.`);
  }
  if (change.channelId && !/^\d{17,20}$/.test(change.channelId)) throw new UserFacingError('BAD_OPTION', `"${change.channelId}" is not a channel id (17–20 digits).`);
  const current = await loadPolicy(0);
  const before = current.routes[kind as AlertType];
  const after: Route = { mode: (change.mode as AlertMode | undefined) ?? before.mode, channelId: change.channelId === undefined ? before.channelId : change.channelId };
  return save({ ...current, routes: { ...current.routes, [kind]: after } }, actor, 'alerts.route', { [kind]: before }, { [kind]: after });
}

/** Quiet hours as typed: HH:MM each, start ≠ end (refused with what is allowed, before any prompt). */
export function checkQuietHours(quiet: { start: string; end: string }): void {
  for (const [k, v] of Object.entries(quiet)) {
    const r = hhmm.safeParse(v);
    if (!r.success) throw new UserFacingError('BAD_OPTION', `${k} "${v}" ${r.error.issues[0]?.message ?? 'is invalid'}.`);
  }
  if (quiet.start === quiet.end) throw new UserFacingError('BAD_OPTION', `start and end must differ (both "${quiet.start}"; use quiet-off to disable quiet hours).`);
}

export async function setQuietHours(quiet: { start: string; end: string } | null, actor: Actor): Promise<Policy> {
  if (quiet) checkQuietHours(quiet);
  const current = await loadPolicy(0);
  return save({ ...current, quiet }, actor, 'alerts.quiet', current.quiet, quiet);
}
