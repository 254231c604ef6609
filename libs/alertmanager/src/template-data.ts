import { type Alert, resolvedAt } from './alert';
import { type LabelSet, compareStrings, sortGoStrings } from './labels';

/** Go's zero `time.Time` as JSON prints it. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** One alert of the template data (`template.Alert`), as Alertmanager serialises it. */
export interface TemplateAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's template data (`template.Data`): what templates and the webhook see. */
export interface TemplateData {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: TemplateAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
}

/** Times printed lately: a group's alerts mostly share their start and end (one post's time). */
const printed = new Map<number, string>();

/** Go's RFC 3339 with nanoseconds, trailing fraction zeros dropped (times here are in ms). */
export function goTime(ms: number | null): string {
  if (ms === null) return GO_ZERO_TIME;
  let s = printed.get(ms);
  if (s === undefined) {
    if (printed.size >= 4096) printed.clear();
    s = new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
    printed.set(ms, s);
  }
  return s;
}

/**
 * A map with keys in Go's order, as encoding/json writes a `map[string]string`. Label sets come
 * sorted nearly always (Prometheus sends them so), and are then used as they are, not copied: a
 * flush renders every alert's labels and annotations.
 */
export function sortedRecord(ls: LabelSet): Record<string, string> {
  const keys = Object.keys(ls);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = compareStrings(keys[i - 1], keys[i]) < 0;
  if (sorted) return ls;
  const out: Record<string, string> = {};
  for (const k of sortGoStrings(keys)) out[k] = ls[k];
  return out;
}

/** The pairs every set holds, keys in Go's order. */
function common(sets: readonly LabelSet[]): Record<string, string> {
  if (sets.length === 0) return {};
  const first = sortedRecord(sets[0]);
  if (sets.length === 1) return first;
  const out: Record<string, string> = {};
  for (const k in first) {
    const v = first[k];
    let everywhere = true;
    for (let i = 1; i < sets.length && everywhere; i++) everywhere = sets[i][k] === v;
    if (everywhere) out[k] = v;
  }
  return out;
}

/** `Template.Data`: the receiver name without `{...}`, status firing if any alert fires, common labels. */
export function templateData(
  receiver: string,
  groupLabels: LabelSet,
  alerts: readonly Alert[],
  externalURL: string,
  now: number,
): TemplateData {
  const items = alerts.map<TemplateAlert>((a) => ({
    status: resolvedAt(a, now) ? 'resolved' : 'firing',
    labels: sortedRecord(a.labels),
    annotations: sortedRecord(a.annotations),
    startsAt: goTime(a.startsAt),
    endsAt: goTime(a.endsAt),
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
  }));
  return {
    receiver: receiver.replace(/\{.*\}/s, ''),
    status: items.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: items,
    groupLabels: sortedRecord(groupLabels),
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL,
  };
}
