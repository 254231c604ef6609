/** Tracks promises still running so a drain can wait for them. */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  /** Registers `work` until it settles. */
  track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
  }

  /** Number of promises still running. */
  get size(): number {
    return this.running.size;
  }

  /** Resolves when any tracked promise settles (at once when none runs). */
  async any(): Promise<void> {
    if (this.running.size > 0) await Promise.race([...this.running]);
  }

  /** Resolves once everything tracked so far (and anything started meanwhile) has settled. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
