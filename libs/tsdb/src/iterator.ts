/** Forward iterator over float samples, the shape Prometheus' `chunkenc.Iterator` has. */
export interface SampleIterator {
  /** Advances to the next sample; false once exhausted. */
  next(): boolean;
  /** Advances to the first sample at or after `t`; false if there is none. */
  seek(t: number): boolean;
  /** Timestamp (ms) of the current sample. */
  readonly t: number;
  /** Value of the current sample. */
  readonly v: number;
}

/** Iterates parallel timestamp/value arrays. */
export class ArrayIterator implements SampleIterator {
  private i = -1;
  t = 0;
  v = 0;

  constructor(
    private readonly ts: ArrayLike<number>,
    private readonly vs: ArrayLike<number>,
    private readonly end = ts.length,
  ) {}

  next(): boolean {
    if (++this.i >= this.end) return false;
    this.t = this.ts[this.i];
    this.v = this.vs[this.i];
    return true;
  }

  seek(t: number): boolean {
    if (this.i >= 0 && this.i < this.end && this.t >= t) return true;
    while (this.next()) if (this.t >= t) return true;
    return false;
  }
}

/** Restricts an iterator to samples within [mint, maxt]. */
export class RangeIterator implements SampleIterator {
  private started = false;
  t = 0;
  v = 0;

  constructor(
    private readonly inner: SampleIterator,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  next(): boolean {
    const ok = this.started ? this.inner.next() : this.inner.seek(this.mint);
    this.started = true;
    return ok && this.take();
  }

  seek(t: number): boolean {
    this.started = true;
    return this.inner.seek(Math.max(t, this.mint)) && this.take();
  }

  private take(): boolean {
    if (this.inner.t > this.maxt) return false;
    this.t = this.inner.t;
    this.v = this.inner.v;
    return true;
  }
}

/** Concatenates iterators whose time ranges do not overlap and are in order. */
export class ChainIterator implements SampleIterator {
  private k = 0;
  t = 0;
  v = 0;

  constructor(private readonly parts: readonly SampleIterator[]) {}

  next(): boolean {
    while (this.k < this.parts.length) {
      const p = this.parts[this.k];
      if (p.next()) return this.take(p);
      this.k++;
    }
    return false;
  }

  seek(t: number): boolean {
    while (this.k < this.parts.length) {
      const p = this.parts[this.k];
      if (p.seek(t)) return this.take(p);
      this.k++;
    }
    return false;
  }

  private take(p: SampleIterator): boolean {
    this.t = p.t;
    this.v = p.v;
    return true;
  }
}

/** Merges two sorted iterators; on equal timestamps the sample from `a` wins. */
export class MergeIterator implements SampleIterator {
  private aOk: boolean | undefined;
  private bOk: boolean | undefined;
  t = 0;
  v = 0;

  constructor(
    private readonly a: SampleIterator,
    private readonly b: SampleIterator,
  ) {}

  next(): boolean {
    if (this.aOk === undefined) {
      this.aOk = this.a.next();
      this.bOk = this.b.next();
    } else {
      const takeA = this.aOk && (!this.bOk || this.a.t <= this.b.t);
      const sameT = this.aOk && this.bOk && this.a.t === this.b.t;
      if (takeA) this.aOk = this.a.next();
      if (!takeA || sameT) this.bOk = this.b.next();
    }
    return this.emit();
  }

  seek(t: number): boolean {
    if (this.aOk !== undefined && (this.aOk || this.bOk) && this.t >= t) return true;
    this.aOk = this.a.seek(t);
    this.bOk = this.b.seek(t);
    return this.emit();
  }

  private emit(): boolean {
    if (this.aOk && (!this.bOk || this.a.t <= this.b.t)) {
      this.t = this.a.t;
      this.v = this.a.v;
      return true;
    }
    if (this.bOk) {
      this.t = this.b.t;
      this.v = this.b.v;
      return true;
    }
    return false;
  }
}
