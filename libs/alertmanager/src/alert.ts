import { type LabelSet, fingerprint, labelSetBefore } from './labels';

/** An alert as Alertmanager keeps it (`types.Alert`); times in ms since the epoch, `null` for Go's zero time. */
export interface Alert {
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
  readonly startsAt: number;
  readonly endsAt: number | null;
  readonly generatorURL: string;
  readonly updatedAt: number;
  /** The end time was not given but set to now + resolve_timeout. */
  readonly timeout: boolean;
  readonly fingerprint: string;
}

/** An alert as a client posts it to `/api/v2/alerts`. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/** `Alert.ResolvedAt`: an end time that is not after `at`. */
export function resolvedAt(a: Alert, at: number): boolean {
  return a.endsAt !== null && a.endsAt <= at;
}

/** Go's zero `time.Time`, which clients such as amtool send for "not set". */
const GO_ZERO_MS = Date.parse('0001-01-01T00:00:00Z');

function postedTime(s: string | undefined): number | null {
  if (!s) return null;
  const ms = Date.parse(s);
  return ms <= GO_ZERO_MS ? null : ms;
}

/**
 * A label with an empty value is no label: API v2 removes such labels before validating. Labels
 * are never changed once posted, so a set without empty values (nearly every one) is kept as it
 * is rather than copied: this runs for every alert, at the gateway and again at every fold.
 */
function nonEmptyLabels(
  labels: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> {
  if (labels === undefined) return {};
  for (const name in labels)
    if (labels[name] === '')
      return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
  return labels;
}

/** Annotations of an alert posted without any (shared: an alert's maps are never changed). */
const NO_ANNOTATIONS: LabelSet = Object.freeze({});

/**
 * Accepts a posted alert as API v2 does: start defaults to now (or the end), end to now + resolve
 * timeout. The posted label and annotation maps are kept, not copied (they are never changed).
 */
export function acceptAlert(p: PostableAlert, now: number, resolveTimeoutMs: number): Alert {
  const labels = nonEmptyLabels(p.labels);
  const endsGiven = postedTime(p.endsAt);
  const startsGiven = postedTime(p.startsAt);
  const startsAt = startsGiven ?? endsGiven ?? now;
  const timeout = endsGiven === null;
  return {
    labels,
    annotations: p.annotations ?? NO_ANNOTATIONS,
    startsAt,
    endsAt: endsGiven ?? now + resolveTimeoutMs,
    generatorURL: p.generatorURL ?? '',
    updatedAt: now,
    timeout,
    fingerprint: fingerprint(labels),
  };
}

/** Whether two label sets (or annotation sets) hold the same pairs. */
function samePairs(a: LabelSet, b: LabelSet): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) if (--n < 0) return false;
  return n === 0;
}

const after = (x: number | null, y: number | null): boolean => (x ?? -Infinity) > (y ?? -Infinity);

/**
 * `Alert.Merge`: the younger alert wins, with the earliest start and Alertmanager's end-time rules.
 * Label and annotation maps equal to the older alert's are taken from it: a re-posted alert (each
 * evaluation re-posts every alert) leaves the maps it arrived with to die young, and the ones held
 * for long stay, so the old generation is not churned.
 */
export function mergeAlerts(a: Alert, o: Alert, now: number): Alert {
  if (o.updatedAt < a.updatedAt) return mergeAlerts(o, a, now);
  let { startsAt, endsAt } = o;
  if (a.startsAt < o.startsAt) startsAt = a.startsAt;
  if (resolvedAt(o, now)) {
    if (resolvedAt(a, now) && after(a.endsAt, o.endsAt)) endsAt = a.endsAt;
  } else if (after(a.endsAt, o.endsAt) && !a.timeout) endsAt = a.endsAt;
  return {
    labels: samePairs(a.labels, o.labels) ? a.labels : o.labels,
    annotations: samePairs(a.annotations, o.annotations) ? a.annotations : o.annotations,
    startsAt,
    endsAt,
    generatorURL: o.generatorURL,
    updatedAt: o.updatedAt,
    timeout: o.timeout,
    // Equal by construction; the older alert's, like the maps above, so a re-posted copy dies young.
    fingerprint: a.fingerprint,
  };
}

/** The alerts provider's merge rule: only alerts whose activity ranges overlap are merged. */
export function overlaps(incoming: Alert, old: Alert): boolean {
  const ie = incoming.endsAt ?? Infinity;
  const oe = old.endsAt ?? Infinity;
  return (
    (ie > old.startsAt && ie < oe) || (incoming.startsAt > old.startsAt && incoming.startsAt < oe)
  );
}

/** `types.AlertSlice` order: by `job`, then `instance` (present first), then label set. */
export function compareAlerts(a: Alert, b: Alert): number {
  for (const key of ['job', 'instance']) {
    const av = a.labels[key];
    const bv = b.labels[key];
    if (av === undefined && bv === undefined) continue;
    if (av === undefined) return 1;
    if (bv === undefined) return -1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  if (labelSetBefore(a.labels, b.labels)) return -1;
  if (labelSetBefore(b.labels, a.labels)) return 1;
  return 0;
}

/** Label names as API v2 takes them. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TIME_FIELDS = ['startsAt', 'endsAt'] as const;
const NO_PROBLEMS: readonly string[] = Object.freeze([]);

/**
 * Problems with a posted alert, as API v2 validates it (empty when it is acceptable). It runs for
 * every alert posted, so an acceptable alert costs no allocation.
 */
export function validatePostable(p: PostableAlert): readonly string[] {
  let problems: string[] | undefined;
  const labels = nonEmptyLabels(p.labels);
  let names = 0;
  for (const k in labels) {
    names++;
    if (!LABEL_NAME.test(k)) (problems ??= []).push(`invalid label set: invalid name "${k}"`);
  }
  if (names === 0) (problems ??= []).push('at least one label pair required');
  for (const f of TIME_FIELDS)
    if (p[f] !== undefined && Number.isNaN(Date.parse(p[f])))
      (problems ??= []).push(`${f}: not a date-time`);
  const starts = postedTime(p.startsAt);
  const ends = postedTime(p.endsAt);
  if (starts !== null && ends !== null && ends < starts)
    (problems ??= []).push('start time must be before end time');
  return problems ?? NO_PROBLEMS;
}

/** A problem with a posted list of alerts, at its path (`3.labels`). */
export interface PostProblem {
  readonly path: string;
  readonly message: string;
}

/** RFC 3339 date-time, as API v2's `strfmt.DateTime` takes it. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function stringRecord(v: unknown): v is Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  for (const k in r) if (typeof r[k] !== 'string') return false;
  return true;
}

/**
 * Checks a `POST /api/v2/alerts` body as API v2 does (shape, then `validatePostable`), in one
 * pass with no schema library: the intake's hot path. Returns the alerts, or every problem.
 */
export function checkPostedAlerts(
  body: unknown,
): { alerts: PostableAlert[] } | { problems: PostProblem[] } {
  if (!Array.isArray(body))
    return { problems: [{ path: '(root)', message: 'the body must be a list of alerts' }] };
  let problems: PostProblem[] | undefined;
  const at = (i: number, field: string, message: string): void =>
    void (problems ??= []).push({ path: field ? `${i}.${field}` : String(i), message });
  for (let i = 0; i < body.length; i++) {
    const a: unknown = body[i];
    if (typeof a !== 'object' || a === null || Array.isArray(a)) {
      at(i, '', 'not an alert');
      continue;
    }
    const p = a as Record<string, unknown>;
    const before = problems?.length ?? 0;
    if (!stringRecord(p.labels)) {
      at(i, 'labels', 'must map label names to strings');
      continue;
    }
    if (p.annotations !== undefined && !stringRecord(p.annotations))
      at(i, 'annotations', 'must map names to strings');
    for (const f of TIME_FIELDS)
      if (p[f] !== undefined && (typeof p[f] !== 'string' || !DATE_TIME.test(p[f])))
        at(i, f, 'not a date-time');
    if (p.generatorURL !== undefined && typeof p.generatorURL !== 'string')
      at(i, 'generatorURL', 'must be a string');
    if ((problems?.length ?? 0) === before)
      for (const message of validatePostable(p as unknown as PostableAlert)) at(i, '', message);
  }
  return problems !== undefined ? { problems } : { alerts: body as PostableAlert[] };
}
