// Applies acknowledged writes in the stream's order: acks of concurrent publishes may resolve in
// any order, but a head must see sequence n before n + 1, as a replay would apply them.

/** Hands each sequence's item to `apply` once every lower sequence was handed over. */
export class InOrder<T> {
  private next: number;
  private readonly waiting = new Map<number, { item: T; done: (applied: true) => void }>();

  constructor(
    after: number,
    private readonly apply: (seq: number, item: T) => void,
  ) {
    this.next = after + 1;
  }

  /**
   * Resolves once `item` (stored at `seq`) and everything before it was applied: true, or false
   * at once for a sequence below the next one (a duplicate the stream deduplicated, applied then).
   */
  submit(seq: number, item: T): Promise<boolean> {
    if (seq < this.next) return Promise.resolve(false);
    return new Promise((done) => {
      this.waiting.set(seq, { item, done });
      for (let w = this.waiting.get(this.next); w; w = this.waiting.get(this.next)) {
        this.waiting.delete(this.next);
        this.apply(this.next, w.item);
        this.next++;
        w.done(true);
      }
    });
  }
}
