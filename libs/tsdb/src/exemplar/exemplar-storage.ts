import { TsdbError } from '../errors';
import { type Matcher } from '../index/matchers';
import { type Label, type Labels, compareLabels } from '../labels';

/** An exemplar: a trace (or other) reference attached to one sample of a series. */
export interface StoredExemplar {
  readonly labels: Labels;
  readonly value: number;
  /** Milliseconds since epoch. */
  readonly timestamp: number;
}

/** A series' exemplars in time order, as {@link ExemplarStorage.select} answers. */
export interface SeriesExemplars {
  readonly seriesLabels: Labels;
  readonly exemplars: StoredExemplar[];
}

/** An exemplar not newer than the series' newest one; Prometheus drops these too. */
export class OutOfOrderExemplarError extends TsdbError {
  readonly code = 'out_of_order_exemplar' as const;
  constructor(
    readonly t: number,
    readonly newestT: number,
  ) {
    super(
      `out of order exemplar: timestamp ${t} is not after the series' newest exemplar ${newestT}`,
    );
  }
}

/** No exemplar follows in the series. */
const NONE = -1;

interface SeriesEntry {
  readonly pairs: readonly string[];
  readonly key: string;
  /** Ring slots of the series' oldest and newest exemplar. */
  oldest: number;
  newest: number;
}

interface Slot {
  readonly exemplar: StoredExemplar;
  readonly series: SeriesEntry;
  /** Ring slot of the series' next newer exemplar, or NONE. */
  next: number;
}

/**
 * Prometheus' circular exemplar storage: one ring of `capacity` exemplars shared by every series,
 * the oldest overwritten first, with each series' exemplars chained oldest to newest through the
 * ring. Like Prometheus it keeps a series' exemplars after the head drops the series, until the
 * ring comes round to them.
 */
export class ExemplarStorage {
  private readonly ring: Array<Slot | null>;
  private readonly index = new Map<string, SeriesEntry>();
  private nextSlot = 0;
  private held = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<Slot | null>(Math.max(0, capacity)).fill(null);
  }

  /** Exemplars held. */
  get size(): number {
    return this.held;
  }

  /**
   * Stores an exemplar of the series with these interned label pairs (name, value, ...). An exact
   * repeat of the series' newest exemplar is ignored, as a retried write resends it; one not
   * newer than that throws {@link OutOfOrderExemplarError}. Returns whether it was stored.
   */
  add(pairs: readonly string[], exemplar: StoredExemplar): boolean {
    if (this.ring.length === 0) return false;
    const key = pairs.join('\xff');
    const known = this.index.get(key);
    if (known) {
      const newest = (this.ring[known.newest] as Slot).exemplar;
      if (sameExemplar(newest, exemplar)) return false;
      if (exemplar.timestamp <= newest.timestamp)
        throw new OutOfOrderExemplarError(exemplar.timestamp, newest.timestamp);
    }
    const slot = this.nextSlot;
    this.evict(slot);
    // Eviction may have removed the series' last exemplar, and with it its index entry.
    let series = this.index.get(key);
    if (series) {
      (this.ring[series.newest] as Slot).next = slot;
      series.newest = slot;
    } else {
      series = { pairs, key, oldest: slot, newest: slot };
      this.index.set(key, series);
    }
    this.ring[slot] = { exemplar, series, next: NONE };
    this.held++;
    this.nextSlot = (slot + 1) % this.ring.length;
    return true;
  }

  /**
   * Exemplars in [mint, maxt] of the series matching every matcher of at least one set, sorted
   * by series labels, each series' exemplars in time order.
   */
  select(
    mint: number,
    maxt: number,
    matcherSets: readonly (readonly Matcher[])[],
  ): SeriesExemplars[] {
    const out: SeriesExemplars[] = [];
    for (const series of this.index.values()) {
      if (!matcherSets.some((set) => matchesAll(series.pairs, set))) continue;
      const exemplars: StoredExemplar[] = [];
      for (let at = series.oldest; at !== NONE;) {
        const slot = this.ring[at] as Slot;
        const t = slot.exemplar.timestamp;
        if (t > maxt) break;
        if (t >= mint) exemplars.push(slot.exemplar);
        at = slot.next;
      }
      if (exemplars.length > 0) out.push({ seriesLabels: toLabels(series.pairs), exemplars });
    }
    return out.sort((a, b) => compareLabels(a.seriesLabels, b.seriesLabels));
  }

  /** Every exemplar held, oldest first: adding them in this order rebuilds the storage. */
  *entries(): IterableIterator<{ pairs: readonly string[]; exemplar: StoredExemplar }> {
    const n = this.ring.length;
    for (let k = 0; k < n; k++) {
      const slot = this.ring[(this.nextSlot + k) % n];
      if (slot) yield { pairs: slot.series.pairs, exemplar: slot.exemplar };
    }
  }

  private evict(at: number): void {
    const old = this.ring[at];
    if (!old) return;
    // The ring overwrites in insertion order, so the evicted slot is its series' oldest.
    if (old.next === NONE) this.index.delete(old.series.key);
    else old.series.oldest = old.next;
    this.ring[at] = null;
    this.held--;
  }
}

function sameExemplar(a: StoredExemplar, b: StoredExemplar): boolean {
  // Compared as Go compares floats, so a NaN value never repeats one (and is then out of order).
  if (a.timestamp !== b.timestamp || a.value !== b.value) return false;
  if (a.labels.length !== b.labels.length) return false;
  for (let i = 0; i < a.labels.length; i++) {
    if (a.labels[i].name !== b.labels[i].name || a.labels[i].value !== b.labels[i].value)
      return false;
  }
  return true;
}

function matchesAll(pairs: readonly string[], matchers: readonly Matcher[]): boolean {
  for (const m of matchers) if (!m.matches(valueOf(pairs, m.name))) return false;
  return true;
}

function valueOf(pairs: readonly string[], name: string): string {
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return pairs[i + 1];
  return '';
}

function toLabels(pairs: readonly string[]): Labels {
  const out: Label[] = [];
  for (let i = 0; i < pairs.length; i += 2) out.push({ name: pairs[i], value: pairs[i + 1] });
  return out;
}
