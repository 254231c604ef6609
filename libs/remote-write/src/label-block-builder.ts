import { isUtf8 } from 'node:buffer';
import { LABEL_SEP, type Label, METRIC_NAME } from '@strata/tsdb';
import { RemoteWriteError } from './errors';
import { type ResolvedValidation, describeSeries } from './validate';

/** A label the receiver adds to every series (a tenant label, an external label). */
export interface InjectedLabel {
  readonly name: string;
  readonly value: string;
  /** Replace a value the sender gave (the tenant label); otherwise only fill in a missing label. */
  readonly override: boolean;
}

/** Injected labels with their bytes encoded once, sorted by name as blocks require. */
export class LabelInjection {
  /** @internal */ readonly names: Buffer[];
  /** @internal */ readonly values: Buffer[];
  /** @internal */ readonly override: boolean[];

  /** The labels, sorted by name. */
  readonly labels: readonly InjectedLabel[];
  /** @internal Bytes the labels take in a block. */
  readonly blockBytes: number;

  constructor(labels: readonly InjectedLabel[]) {
    const sorted = [...labels].sort((a, b) =>
      Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)),
    );
    this.labels = sorted.map((l) => ({ name: l.name, value: l.value, override: l.override }));
    this.names = sorted.map((l) => Buffer.from(l.name));
    this.values = sorted.map((l) => Buffer.from(l.value));
    this.override = sorted.map((l) => l.override);
    this.blockBytes = sorted.reduce(
      (n, _, j) => n + this.names[j].length + this.values[j].length + 2,
      0,
    );
  }

  get size(): number {
    return this.names.length;
  }
}

export const NO_INJECTION = new LabelInjection([]);

const METRIC_NAME_BYTES = Buffer.from(METRIC_NAME);
// Read once: an imported binding is a property lookup on every use, and this one is per byte.
const SEP = LABEL_SEP;
/** Int32 slots per label in the ranges table. */
const RANGE_STRIDE = 4;

/**
 * Turns one series' labels, given as byte ranges of the request body, into a label block in a
 * per-request arena: validated as Prometheus does (names, UTF-8, lengths, order, metric name),
 * empty values dropped, injected labels merged in, all without making strings. Errors build the
 * strings they need for their messages only when they are thrown.
 */
export class LabelBlockBuilder {
  arena: Buffer;
  private off = 0;
  /** name start, name end, value start, value end per label of the current series. */
  private ranges = new Int32Array(64 * RANGE_STRIDE);
  private count = 0;
  /** Injected labels written so far into the current block. */
  private injected = 0;
  /** Whether the last {@link putInjectedBefore} replaced the sender's label. */
  private replaced = false;

  constructor(
    private readonly o: ResolvedValidation,
    private readonly injection: LabelInjection,
    sizeHint: number,
  ) {
    this.arena = Buffer.allocUnsafe(Math.max(4096, sizeHint));
  }

  /** Starts a series. */
  begin(): void {
    this.count = 0;
  }

  /** Adds a label of the current series as ranges of `src` (the request body). */
  add(nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void {
    const k = this.count * RANGE_STRIDE;
    if (k + RANGE_STRIDE > this.ranges.length) {
      const next = new Int32Array(this.ranges.length * 2);
      next.set(this.ranges);
      this.ranges = next;
    }
    this.ranges[k] = nameStart;
    this.ranges[k + 1] = nameEnd;
    this.ranges[k + 2] = valueStart;
    this.ranges[k + 3] = valueEnd;
    this.count++;
  }

  /**
   * Validates the current series' labels and writes its block; returns the block's start in
   * {@link arena} (its end is {@link end}). `utf8Checked` skips the UTF-8 check for text that was
   * validated already (the symbols table of remote write 2.0).
   */
  finish(src: Buffer, idx: number, utf8Checked: boolean): number {
    const start = this.fastWrite(src);
    return start >= 0 ? start : this.checkAndWrite(src, idx, utf8Checked);
  }

  /**
   * The common case in one pass: ASCII text, names checked as UTF-8 names (not legacy), nothing
   * invalid. Validates while it copies; returns the block's start, or -1 for anything else, which
   * {@link checkAndWrite} then refuses with the precise error or writes after a full check.
   */
  private fastWrite(src: Buffer): number {
    const o = this.o;
    const r = this.ranges;
    const n = this.count;
    if (n > o.maxLabelsPerSeries || o.nameValidation !== 'utf8') return -1;
    let bytes = 0;
    for (let k = 0; k < n * RANGE_STRIDE; k += RANGE_STRIDE)
      bytes += r[k + 1] - r[k] + r[k + 3] - r[k + 2] + 2;
    const inj = this.injection;
    this.ensure(bytes + inj.blockBytes);
    const out = this.arena;
    const start = this.off;
    let w = start;
    // Every byte of text ORed together: a high bit anywhere means non-ASCII, the careful path.
    let high = 0;
    let metric = false;
    this.injected = 0;
    for (let i = 0; i < n; i++) {
      const k = i * RANGE_STRIDE;
      const ns = r[k];
      const ne = r[k + 1];
      const vs = r[k + 2];
      const ve = r[k + 3];
      if (ns === ne || ne - ns > o.maxLabelNameLength || ve - vs > o.maxLabelValueLength) return -1;
      if (
        i > 0 &&
        compareBytes(src, r[k - RANGE_STRIDE], r[k - RANGE_STRIDE + 1], src, ns, ne) >= 0
      )
        return -1;
      if (ne - ns === METRIC_NAME_BYTES.length && isMetricName(src, ns)) {
        if (vs === ve) return -1;
        metric = true;
      }
      w = this.putInjectedBefore(w, src, ns, ne, vs === ve);
      if (this.replaced || vs === ve) {
        // Not written, but still checked as the careful path checks every label.
        for (let b = ns; b < ne; b++) high |= src[b];
        for (let b = vs; b < ve; b++) high |= src[b];
        continue;
      }
      for (let b = ns; b < ne; b++) {
        const c = src[b];
        high |= c;
        out[w++] = c;
      }
      out[w++] = SEP;
      for (let b = vs; b < ve; b++) {
        const c = src[b];
        high |= c;
        out[w++] = c;
      }
      out[w++] = SEP;
    }
    if (!metric || high >= 0x80) return -1;
    for (; this.injected < inj.size; this.injected++)
      w = this.put(w, inj.names[this.injected], inj.values[this.injected]);
    this.off = w;
    return start;
  }

  private checkAndWrite(src: Buffer, idx: number, utf8Checked: boolean): number {
    const o = this.o;
    const r = this.ranges;
    const n = this.count;
    if (n > o.maxLabelsPerSeries) {
      throw this.error(
        src,
        idx,
        'too_many_labels',
        (d) => `${d} has ${n} labels, more than the limit of ${o.maxLabelsPerSeries}`,
      );
    }
    let metric = -1;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const k = i * RANGE_STRIDE;
      const ns = r[k];
      const ne = r[k + 1];
      const vs = r[k + 2];
      const ve = r[k + 3];
      if (!utf8Checked) {
        this.checkUtf8(src, ns, ne, idx, 'label name');
        this.checkUtf8(src, vs, ve, idx, 'label value');
      }
      if (ns === ne)
        throw this.error(
          src,
          idx,
          'empty_label_name',
          (d) => `${d} has a label with an empty name`,
        );
      if (ne - ns > o.maxLabelNameLength) {
        throw this.error(
          src,
          idx,
          'label_name_too_long',
          (d) =>
            `${d}: label name ${preview(src, ns, ne)} is longer than ${o.maxLabelNameLength} bytes`,
        );
      }
      if (o.nameValidation === 'legacy' && !isLegacyName(src, ns, ne, false)) {
        throw this.error(
          src,
          idx,
          'invalid_label_name',
          (d) => `${d}: label name ${preview(src, ns, ne)} does not match [a-zA-Z_][a-zA-Z0-9_]*`,
        );
      }
      if (ve - vs > o.maxLabelValueLength) {
        throw this.error(
          src,
          idx,
          'label_value_too_long',
          (d) =>
            `${d}: value of label ${preview(src, ns, ne)} is longer than ${o.maxLabelValueLength} bytes`,
        );
      }
      if (i > 0) {
        const c = compareBytes(src, r[k - RANGE_STRIDE], r[k - RANGE_STRIDE + 1], src, ns, ne);
        if (c === 0) {
          throw this.error(
            src,
            idx,
            'duplicate_label_name',
            (d) => `${d}: duplicate label name ${preview(src, ns, ne)}`,
          );
        }
        if (c > 0) {
          const ps = r[k - RANGE_STRIDE];
          const pe = r[k - RANGE_STRIDE + 1];
          throw this.error(
            src,
            idx,
            'labels_not_sorted',
            (d) =>
              `${d}: labels not sorted by name (${preview(src, ps, pe)} before ${preview(src, ns, ne)})`,
          );
        }
      }
      if (
        metric < 0 &&
        compareBytes(src, ns, ne, METRIC_NAME_BYTES, 0, METRIC_NAME_BYTES.length) === 0
      )
        metric = i;
      bytes += ne - ns + ve - vs + 2;
    }
    if (metric < 0 || r[metric * RANGE_STRIDE + 2] === r[metric * RANGE_STRIDE + 3]) {
      throw this.error(
        src,
        idx,
        'missing_metric_name',
        (d) => `${d} has no (or an empty) ${METRIC_NAME} label`,
      );
    }
    if (o.nameValidation === 'legacy') {
      const ms = r[metric * RANGE_STRIDE + 2];
      const me = r[metric * RANGE_STRIDE + 3];
      if (!isLegacyName(src, ms, me, true)) {
        throw this.error(
          src,
          idx,
          'invalid_metric_name',
          (d) =>
            `${d}: metric name ${preview(src, ms, me)} does not match [a-zA-Z_:][a-zA-Z0-9_:]*`,
        );
      }
    }
    return this.write(src, bytes);
  }

  /** End of the block {@link finish} wrote last. */
  get end(): number {
    return this.off;
  }

  private write(src: Buffer, senderBytes: number): number {
    const inj = this.injection;
    this.ensure(senderBytes + inj.blockBytes);
    const start = this.off;
    const r = this.ranges;
    const out = this.arena;
    let o = this.off;
    this.injected = 0;
    for (let i = 0; i < this.count; i++) {
      const k = i * RANGE_STRIDE;
      const ns = r[k];
      const ne = r[k + 1];
      const vs = r[k + 2];
      const ve = r[k + 3];
      o = this.putInjectedBefore(o, src, ns, ne, vs === ve);
      // Prometheus treats an empty value as an absent label.
      if (this.replaced || vs === ve) continue;
      for (let b = ns; b < ne; b++) out[o++] = src[b];
      out[o++] = SEP;
      for (let b = vs; b < ve; b++) out[o++] = src[b];
      out[o++] = SEP;
    }
    for (; this.injected < inj.size; this.injected++)
      o = this.put(o, inj.names[this.injected], inj.values[this.injected]);
    this.off = o;
    return start;
  }

  /**
   * Writes the injected labels that sort before the sender's label `src[ns, ne)` and moves past
   * one of the same name, setting {@link replaced} when that one takes the sender's place (it
   * overrides, or the sender's value is empty: an absent label, which a default fills in).
   */
  private putInjectedBefore(
    w: number,
    src: Buffer,
    ns: number,
    ne: number,
    empty: boolean,
  ): number {
    const inj = this.injection;
    this.replaced = false;
    while (this.injected < inj.size) {
      const j = this.injected;
      const name = inj.names[j];
      const c = compareBytes(name, 0, name.length, src, ns, ne);
      if (c > 0) break;
      if (c === 0) this.replaced = inj.override[j] || empty;
      if (c < 0 || this.replaced) w = this.put(w, name, inj.values[j]);
      this.injected++;
      if (c === 0) break;
    }
    return w;
  }

  private put(o: number, name: Buffer, value: Buffer): number {
    const out = this.arena;
    for (let b = 0; b < name.length; b++) out[o++] = name[b];
    out[o++] = SEP;
    for (let b = 0; b < value.length; b++) out[o++] = value[b];
    out[o++] = SEP;
    return o;
  }

  private ensure(n: number): void {
    if (this.off + n <= this.arena.length) return;
    // Blocks written so far keep pointing into the old arena, which stays as it was.
    this.arena = Buffer.allocUnsafe(Math.max(this.arena.length * 2, n + 4096));
    this.off = 0;
  }

  private checkUtf8(src: Buffer, start: number, end: number, idx: number, field: string): void {
    for (let i = start; i < end; i++) {
      if (src[i] >= 0x80) {
        if (isUtf8(src.subarray(start, end))) return;
        const text = src.toString('utf8', start, Math.min(end, start + 256)).slice(0, 64);
        throw new RemoteWriteError(
          'invalid_utf8',
          `series ${idx}: ${field} ${JSON.stringify(text)} is not valid UTF-8`,
        );
      }
    }
  }

  private error(
    src: Buffer,
    idx: number,
    code: RemoteWriteError['code'],
    message: (described: string) => string,
  ): RemoteWriteError {
    const labels: Label[] = [];
    for (let i = 0; i < this.count; i++) {
      const k = i * RANGE_STRIDE;
      labels.push({
        name: src.toString('utf8', this.ranges[k], this.ranges[k + 1]),
        value: src.toString('utf8', this.ranges[k + 2], this.ranges[k + 3]),
      });
    }
    return new RemoteWriteError(code, message(describeSeries(idx, labels)));
  }
}

function isMetricName(src: Uint8Array, at: number): boolean {
  for (let i = 0; i < METRIC_NAME_BYTES.length; i++)
    if (src[at + i] !== METRIC_NAME_BYTES[i]) return false;
  return true;
}

/** Compares two byte ranges as Go compares strings. */
function compareBytes(
  a: Uint8Array,
  as: number,
  ae: number,
  b: Uint8Array,
  bs: number,
  be: number,
): number {
  const n = Math.min(ae - as, be - bs);
  for (let i = 0; i < n; i++) {
    const d = a[as + i] - b[bs + i];
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

// [a-zA-Z_][a-zA-Z0-9_]* for label names; metric names also allow ':'.
function isLegacyName(src: Uint8Array, start: number, end: number, metric: boolean): boolean {
  if (start === end) return false;
  for (let i = start; i < end; i++) {
    const c = src[i];
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
    const ok = letter || (metric && c === 0x3a) || (i > start && c >= 0x30 && c <= 0x39);
    if (!ok) return false;
  }
  return true;
}

function preview(src: Buffer, start: number, end: number): string {
  const s = src.toString('utf8', start, Math.min(end, start + 256));
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);
}
