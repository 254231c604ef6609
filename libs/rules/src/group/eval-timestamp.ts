import { xxh64 } from '@node-rs/xxhash';

/**
 * How Prometheus lays out a label set in memory before hashing it: `stringlabels` is Prometheus 3's
 * default build (length-prefixed strings), `slicelabels` Prometheus 2's (`name\xffvalue\xff`).
 */
export type LabelsLayout = 'stringlabels' | 'slicelabels';

const SEP = Buffer.from([0xff]);

function sizePrefix(n: number): Buffer {
  if (n < 255) return Buffer.from([n]);
  return Buffer.from([255, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]);
}

/**
 * Prometheus' `Group.hash()`: the hash of the label set {file, name}, which spreads groups of the
 * same interval over the interval.
 */
export function groupHash(
  file: string,
  name: string,
  layout: LabelsLayout = 'stringlabels',
): bigint {
  // Labels are sorted by name: "file" before "name".
  const pairs: Array<[string, string]> = [
    ['file', file],
    ['name', name],
  ];
  const parts: Buffer[] = [];
  for (const [k, v] of pairs) {
    const kb = Buffer.from(k, 'utf8');
    const vb = Buffer.from(v, 'utf8');
    if (layout === 'slicelabels') parts.push(kb, SEP, vb, SEP);
    else parts.push(sizePrefix(kb.length), kb, sizePrefix(vb.length), vb);
  }
  return xxh64(Buffer.concat(parts));
}

/**
 * Prometheus' `Group.EvalTimestamp`: the latest slot at or before `startNs` on the group's grid,
 * which is the interval grid shifted by `hash % interval`. Nanoseconds in, nanoseconds out.
 */
export function evalTimestampNs(startNs: bigint, intervalNs: bigint, hash: bigint): bigint {
  const offset = hash % intervalNs;
  const adjNow = startNs - offset;
  // BigInt % truncates toward zero like Go's, so times before 1970 behave as in Prometheus.
  const base = adjNow - (adjNow % intervalNs);
  return base + offset;
}

/** A sample timestamp (ms) for an evaluation time (ns), truncated as `timestamp.FromTime` does. */
export function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

/**
 * The evaluation slots of one group as Prometheus' `Group.run` walks them: the first slot is one
 * interval after the slot preceding the start, then one per tick, skipping (and counting) the slots
 * a slow evaluation missed.
 */
export class GroupSchedule {
  private lastNs: bigint | null = null;

  constructor(
    private readonly intervalNs: bigint,
    private readonly hash: bigint,
  ) {}

  /** The first evaluation time (ns) for a group started at `nowNs`; wait until then before evaluating. */
  first(nowNs: bigint): bigint {
    this.lastNs = evalTimestampNs(nowNs, this.intervalNs, this.hash) + this.intervalNs;
    return this.lastNs;
  }

  /**
   * The evaluation time for a tick at `nowNs`, and how many slots were missed since the previous
   * evaluation (Prometheus' `rule_group_iterations_missed_total`).
   */
  next(nowNs: bigint): { evalNs: bigint; missed: number } {
    if (this.lastNs === null) return { evalNs: this.first(nowNs), missed: 0 };
    // As in Prometheus, a tick less than an interval after the last slot evaluates that slot again.
    const missed = (nowNs - this.lastNs) / this.intervalNs - 1n;
    this.lastNs += (missed + 1n) * this.intervalNs;
    return { evalNs: this.lastNs, missed: missed > 0n ? Number(missed) : 0 };
  }
}
