import { type SampleIterator } from '../iterator';
import { isStaleNaN } from '@strata/contracts';

/**
 * Thanos' ApplyCounterResetsSeriesIterator: walks raw or `counter`-aggregate chunks in order and
 * yields a monotonic total, adding a reset's new value instead of letting the total drop. An
 * aggregate chunk ends with its true last raw value at the timestamp of its previous sample; that
 * sample is not yielded but compared with the next chunk's first value, so a reset between two
 * chunks is seen.
 */
export class CounterResetsIterator implements SampleIterator {
  private i = 0;
  private total = 0;
  t = 0;
  v = 0;
  /** The last raw value seen (the true value of the counter, not the total). */
  lastRaw = 0;

  constructor(private readonly chunks: readonly SampleIterator[]) {}

  next(): boolean {
    while (this.i < this.chunks.length) {
      const c = this.chunks[this.i];
      if (!c.next()) {
        this.i++;
        continue;
      }
      const { t, v } = c;
      if (Number.isNaN(v) || isStaleNaN(v)) continue;
      if (this.total === 0) {
        this.total++;
        this.t = t;
        this.lastRaw = v;
        this.v = v;
        return true;
      }
      if (t > this.t) {
        this.v += v >= this.lastRaw ? v - this.lastRaw : v;
        this.t = t;
        this.lastRaw = v;
        this.total++;
        return true;
      }
      if (t === this.t) this.lastRaw = v;
      // Earlier than the last sample: an overlapping chunk went back in time; skip it.
    }
    return false;
  }

  seek(t: number): boolean {
    if (this.total > 0 && this.t >= t) return true;
    // Never skip through the chunks' own seek: every sample counts towards the total.
    while (this.next()) if (this.t >= t) return true;
    return false;
  }
}
