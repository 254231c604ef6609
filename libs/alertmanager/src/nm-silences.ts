import { type Checker, join } from './config-checker';
import { CronParseError, lastFiring, parseCron } from './cron';
import { type LabelSet } from './labels';
import { type Matcher, matchesAll, parseMatchers } from './matchers';
import { labelMap, selectorMatchers } from './nm-selectors';

/**
 * notification-manager's Silence: alerts its `matcher` selects are not sent while it is active.
 * A global one (label `type: global`, or none) mutes every receiver of the tenant's configuration;
 * a tenant one (`type: tenant`, `user: <name>`) only that user's receivers.
 */
export interface NmSilence {
  readonly name: string;
  readonly matchers: readonly Matcher[];
  /** The receivers it mutes (`nm/<name>`); null: every receiver. */
  readonly receivers: ReadonlySet<string> | null;
  /** Whether it mutes at `now` (ms since the epoch). */
  active(now: number): boolean;
}

const FIELDS = ['name', 'labels', 'enabled', 'matcher', 'startsAt', 'schedule', 'duration'];

/** A silence's user when it is a tenant silence, or null for a global one. */
export function silenceUser(
  c: Checker,
  labels: Readonly<Record<string, string>>,
  path: string,
): string | null {
  if (labels.type === undefined || labels.type === 'global') return null;
  if (labels.type !== 'tenant') {
    c.fail(join(path, 'type'), 'type must be global or tenant');
    return null;
  }
  if (!labels.user) c.fail(join(path, 'user'), 'a tenant object names its user');
  return labels.user ?? '';
}

/**
 * The `silences` of the notification-manager document: `enabled` (default true), `matcher` (a
 * label selector), `startsAt` (RFC 3339) with an optional `duration`, or a cron `schedule` (UTC)
 * with the `duration` each firing lasts; neither means always.
 */
export function parseNmSilences(
  c: Checker,
  raw: unknown,
  path: string,
  receiversOf: (user: string) => ReadonlySet<string>,
): NmSilence[] {
  return c.list(raw, path).map((s, i) => {
    const p = join(path, i);
    const o = c.obj(s, p, FIELDS);
    const name = c.str(o.name, join(p, 'name')) ?? '';
    if (name === '') c.fail(join(p, 'name'), 'missing name in silence');
    const user = silenceUser(c, labelMap(c, o.labels, join(p, 'labels')), join(p, 'labels'));
    const enabled = c.bool(o.enabled, join(p, 'enabled'), true);
    const matchers = selectorMatchers(c, o.matcher, join(p, 'matcher')).flatMap((m) => {
      try {
        return parseMatchers(m);
      } catch (e) {
        c.fail(join(p, 'matcher'), (e as Error).message);
        return [];
      }
    });
    const durationMs = c.duration(o.duration, join(p, 'duration'));
    if (durationMs !== undefined && durationMs <= 0)
      c.fail(join(p, 'duration'), 'duration must be positive');
    let startsAt: number | undefined;
    const startsText = c.str(o.startsAt, join(p, 'startsAt'));
    if (startsText !== undefined) {
      startsAt = Date.parse(startsText);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(startsText) || Number.isNaN(startsAt))
        c.fail(join(p, 'startsAt'), `not an RFC 3339 time: ${JSON.stringify(startsText)}`);
    }
    const scheduleText = c.str(o.schedule, join(p, 'schedule'));
    let active: (now: number) => boolean = () => true;
    if (scheduleText !== undefined) {
      if (durationMs === undefined)
        c.fail(join(p, 'duration'), 'a scheduled silence needs the duration of each window');
      try {
        const cron = parseCron(scheduleText);
        const span = durationMs ?? 0;
        active = (now) => span > 0 && lastFiring(cron, now, span - 1) !== null;
      } catch (e) {
        if (!(e instanceof CronParseError)) throw e;
        c.fail(join(p, 'schedule'), e.message);
      }
    } else if (startsAt !== undefined) {
      const from = startsAt;
      active = (now) => now >= from && (durationMs === undefined || now < from + durationMs);
    }
    return {
      name,
      matchers,
      receivers: user === null ? null : receiversOf(user),
      active: (now: number) => enabled && active(now),
    };
  });
}

/** The silences that mute an alert for a receiver at `now`. */
export function nmSilencedBy(
  silences: readonly NmSilence[],
  receiver: string,
  labels: LabelSet,
  now: number,
): string[] {
  return silences
    .filter(
      (s) =>
        (s.receivers === null || s.receivers.has(receiver)) &&
        matchesAll(s.matchers, labels) &&
        s.active(now),
    )
    .map((s) => s.name);
}
