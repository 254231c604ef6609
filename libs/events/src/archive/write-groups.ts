/** How many groups are written at once, and how large a group grows. */
export interface WriteGroupLimits {
  readonly lanes: number;
  /** A group stops growing once it holds this much (by `sizeOf`); one item may exceed it. */
  readonly maxSize: number;
}

interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Writes items in groups: at most `lanes` writes run at once, and what arrives meanwhile waits and
 * goes in the next write of its key, together. A write's result is one per item, in order; a
 * failed write fails every item of its group. Idle, an item is written at once, alone.
 */
export class WriteGroups<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private running = 0;

  constructor(
    private readonly limits: WriteGroupLimits,
    private readonly keyOf: (item: T) => string,
    private readonly sizeOf: (item: T) => number,
    private readonly write: (group: readonly T[]) => Promise<readonly R[]>,
  ) {}

  /** Resolves with the item's result once the write of its group committed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.limits.lanes && this.waiting.length > 0) {
      const group = this.take();
      this.running++;
      void this.run(group);
    }
  }

  /** The oldest waiting item and the others of its key behind it, oldest first, up to the size. */
  private take(): Waiting<T, R>[] {
    const first = this.waiting.shift() as Waiting<T, R>;
    const key = this.keyOf(first.item);
    const group = [first];
    let size = this.sizeOf(first.item);
    for (let i = 0; i < this.waiting.length && size < this.limits.maxSize;) {
      const w = this.waiting[i];
      const s = this.sizeOf(w.item);
      if (this.keyOf(w.item) !== key || size + s > this.limits.maxSize) {
        i++;
        continue;
      }
      group.push(w);
      size += s;
      this.waiting.splice(i, 1);
    }
    return group;
  }

  private async run(group: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.write(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(results[i]));
    } catch (error) {
      for (const w of group) w.reject(error);
    } finally {
      this.running--;
      this.next();
    }
  }
}
