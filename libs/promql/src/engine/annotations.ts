/** Severity of an annotation, as Prometheus distinguishes them. */
export type AnnotationKind = 'warning' | 'info';

/** A non-fatal note attached to a query result. */
export interface Annotation {
  kind: AnnotationKind;
  message: string;
}

/** A de-duplicated collection of annotations keyed by message, like Prometheus' `annotations.Annotations`. */
export class Annotations {
  private readonly byMsg = new Map<string, Annotation>();

  /** Adds an annotation (duplicates collapse). */
  add(a: Annotation): this {
    this.byMsg.set(a.message, a);
    return this;
  }

  /** Adds every annotation of another collection. */
  merge(o: Annotations | null | undefined): this {
    if (o) for (const a of o.byMsg.values()) this.byMsg.set(a.message, a);
    return this;
  }

  /** All annotations in insertion order. */
  list(): Annotation[] {
    return [...this.byMsg.values()];
  }

  /** Messages of warnings only. */
  get warnings(): string[] {
    return this.list()
      .filter((a) => a.kind === 'warning')
      .map((a) => a.message);
  }

  /** Messages of infos only. */
  get infos(): string[] {
    return this.list()
      .filter((a) => a.kind === 'info')
      .map((a) => a.message);
  }

  /** Number of annotations. */
  get size(): number {
    return this.byMsg.size;
  }
}

const WARN = 'PromQL warning';
const INFO = 'PromQL info';

/** Formats a float the way Go's `%g` does for the common cases these messages use. */
export function formatG(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [m, e] = v.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

/** Go's `%q` quoting for the strings in annotation messages. */
function q(s: string): string {
  return JSON.stringify(s);
}

/** Constructors for every annotation the float engine can produce, with Prometheus' texts. */
export const Anno = {
  invalidQuantile(v: number): Annotation {
    return {
      kind: 'warning',
      message: `${WARN}: quantile value should be between 0 and 1, got ${formatG(v)}`,
    };
  },
  invalidRatio(v: number, to: number): Annotation {
    return {
      kind: 'warning',
      message: `${WARN}: ratio value should be between -1 and 1, got ${formatG(v)}, capping to ${formatG(to)}`,
    };
  },
  badBucketLabel(metricName: string, label: string): Annotation {
    return {
      kind: 'warning',
      message: `${WARN}: bucket label "le" is missing or has a malformed value of ${q(label)} for metric name ${q(metricName)}`,
    };
  },
  possibleNonCounter(metricName: string): Annotation {
    return {
      kind: 'info',
      message: `${INFO}: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${q(metricName)}`,
    };
  },
  forcedMonotonicity(metricName: string): Annotation {
    return {
      kind: 'info',
      message: `${INFO}: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name ${q(metricName)}`,
    };
  },
};
