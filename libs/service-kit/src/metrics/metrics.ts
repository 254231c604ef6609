import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prefix of every metric the platform defines; process and Node.js metrics keep their standard names. */
export const METRIC_PREFIX = 'strata_';

/** A registry with the default process and Node.js metrics (`process_*`, `nodejs_*`). */
export function createMetricsRegistry(defaultLabels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(defaultLabels);
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Prefixes `name` with `strata_` unless it already is, and checks it is a valid metric name. */
export function metricName(name: string): string {
  const full = name.startsWith(METRIC_PREFIX) ? name : `${METRIC_PREFIX}${name}`;
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(full))
    throw new Error(`invalid metric name ${JSON.stringify(name)}`);
  return full;
}

/**
 * Get-or-create access to the process's metrics under the `strata_` prefix. Several services
 * share one registry in the all-in-one process, so asking twice for a metric returns the same one.
 */
export class StrataMetrics {
  constructor(readonly registry: Registry) {}

  /** A counter named `strata_<name>`. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.getOrCreate(
      name,
      () =>
        new Counter<L>({ name: metricName(name), help, labelNames, registers: [this.registry] }),
    );
  }

  /** A gauge named `strata_<name>`. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.getOrCreate(
      name,
      () => new Gauge<L>({ name: metricName(name), help, labelNames, registers: [this.registry] }),
    );
  }

  /** A histogram named `strata_<name>` (seconds by convention, Prometheus' default buckets unless given). */
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets?: number[],
  ): Histogram<L> {
    return this.getOrCreate(
      name,
      () =>
        new Histogram<L>({
          name: metricName(name),
          help,
          labelNames,
          registers: [this.registry],
          ...(buckets ? { buckets } : {}),
        }),
    );
  }

  /** The exposition text for `/metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private getOrCreate<M>(name: string, create: () => M): M {
    const existing = this.registry.getSingleMetric(metricName(name));
    return existing ? (existing as M) : create();
  }
}
