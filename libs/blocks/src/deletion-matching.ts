import { type Matcher, matchesValue, parseMetricSelector } from '@strata/promql';
import { type DeletionRequest } from './deletion-requests';

/** A deleted time range of one series, both ends inclusive (ms). */
export interface DeletedInterval {
  readonly minT: number;
  readonly maxT: number;
}

/**
 * The matchers of one `match[]` selector of a deletion, or an error message. As Prometheus'
 * `delete_series`, a selector must have at least one matcher that does not match the empty
 * string, so no request can select every series of a tenant by accident.
 */
export function parseDeletionSelector(selector: string): Matcher[] | string {
  let parsed;
  try {
    parsed = parseMetricSelector(selector);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  if (parsed === null) return `${JSON.stringify(selector)} is not a series selector`;
  if (parsed.offsetMs !== 0 || parsed.timestampMs !== null || parsed.startOrEnd !== null)
    return `${JSON.stringify(selector)}: a deletion selector takes no offset or @`;
  if (!parsed.matchers.some((m) => !matchesValue(m, '')))
    return `${JSON.stringify(selector)}: match[] must contain at least one non-empty matcher`;
  return parsed.matchers;
}

/**
 * The deletions of a tenant compiled for reading: which intervals of a series are deleted. A
 * stored selector that no longer parses deletes nothing (it was checked when it was stored).
 */
export class DeletionMatcher {
  private readonly compiled: Array<{ matcherSets: Matcher[][]; interval: DeletedInterval }>;

  constructor(readonly requests: readonly DeletionRequest[]) {
    this.compiled = requests.map((r) => ({
      matcherSets: r.selectors
        .map((s) => parseDeletionSelector(s))
        .filter((m): m is Matcher[] => typeof m !== 'string'),
      interval: { minT: r.minTime, maxT: r.maxTime },
    }));
  }

  /** True when no request deletes anything. */
  get empty(): boolean {
    return this.compiled.length === 0;
  }

  /** The deleted intervals of a series, given how to read its labels ('' when absent). */
  intervals(label: (name: string) => string): DeletedInterval[] {
    const out: DeletedInterval[] = [];
    for (const c of this.compiled)
      if (c.matcherSets.some((ms) => ms.every((m) => matchesValue(m, label(m.name)))))
        out.push(c.interval);
    return out;
  }

  /** The deleted intervals of a series overlapping [minT, maxT]. */
  intervalsWithin(label: (name: string) => string, minT: number, maxT: number): DeletedInterval[] {
    return this.intervals(label).filter((i) => i.minT <= maxT && i.maxT >= minT);
  }
}

/** Whether `t` lies in one of the intervals. */
export function isDeleted(t: number, intervals: readonly DeletedInterval[]): boolean {
  for (const i of intervals) if (t >= i.minT && t <= i.maxT) return true;
  return false;
}
