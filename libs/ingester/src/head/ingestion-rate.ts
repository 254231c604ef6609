/** Weight of the newest interval, as Mimir's ingesters average their ingestion rate. */
const ALPHA = 0.2;

/**
 * Samples per second as an exponentially weighted moving average over fixed ticks (Mimir's
 * `ewmaRate`): appends only add to a counter, and {@link tick} folds it into the average.
 */
export class IngestionRate {
  private pending = 0;
  private average = 0;
  private primed = false;

  /** Counts appended samples. */
  add(samples: number): void {
    this.pending += samples;
  }

  /** Folds the samples counted over the last `seconds` into the average. */
  tick(seconds: number): void {
    const instant = this.pending / seconds;
    this.pending = 0;
    if (this.primed) this.average += ALPHA * (instant - this.average);
    else {
      this.average = instant;
      this.primed = true;
    }
  }

  /** The average in samples per second. */
  get perSecond(): number {
    return this.average;
  }
}
