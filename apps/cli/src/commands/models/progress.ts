/** Bytes moved of a total, drawn on one stderr line on a terminal, else a line per finished item. */
export class Progress {
  private done = 0;
  private items = 0;
  private lastDraw = 0;
  private readonly started = Date.now();
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly verb: string,
    private totalBytes: number,
    private totalItems: number,
  ) {}

  /** More work became known (a push learns its blobs while it uploads the first ones). */
  expect(bytes: number, items: number): void {
    this.totalBytes += bytes;
    this.totalItems += items;
  }

  /** Some bytes moved. */
  bytes(n: number): void {
    this.done += n;
    if (this.tty && Date.now() - this.lastDraw > 100) this.draw();
  }

  /** An item (blob or part) finished; `label` says which. */
  item(label: string): void {
    this.items++;
    if (this.tty) this.draw();
    else
      process.stderr.write(
        `${this.verb} ${this.items}/${this.totalItems} ${label} (${mib(this.done)}/${mib(this.totalBytes)} MiB)\n`,
      );
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.tty) {
      this.draw();
      process.stderr.write('\n');
    }
  }

  private draw(): void {
    this.lastDraw = Date.now();
    const ratio = this.totalBytes === 0 ? 1 : Math.min(1, this.done / this.totalBytes);
    const width = 30;
    const filled = Math.round(ratio * width);
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    process.stderr.write(
      `\r${this.verb} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0)}% ` +
        `${mib(this.done)}/${mib(this.totalBytes)} MiB ${(this.done / 1048576 / seconds).toFixed(1)} MiB/s ` +
        `${this.items}/${this.totalItems}`,
    );
  }
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

/** Runs `work` on every item, `concurrency` at a time (modelx moves three blobs at once). */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Runs tasks as they are added, `concurrency` at a time, in the order added. The first failure
 * is kept: `add` throws it (so the producer stops) and `drain` rejects with it.
 */
export class TaskQueue {
  private readonly waiting: Array<() => Promise<void>> = [];
  private running = 0;
  private failure: { error: unknown } | null = null;
  private idle: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(private readonly concurrency: number) {}

  /** Queues a task; throws the first failure of an earlier one. */
  add(task: () => Promise<void>): void {
    if (this.failure) throw this.failure.error;
    this.waiting.push(task);
    this.pump();
  }

  /** Resolves when every added task has run; rejects with the first failure. */
  drain(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.idle.push({ resolve, reject }));
  }

  private pump(): void {
    while (!this.failure && this.running < this.concurrency && this.waiting.length > 0) {
      const task = this.waiting.shift() as () => Promise<void>;
      this.running++;
      task().then(
        () => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.waiting.length === 0) this.settle();
        },
        (error: unknown) => {
          this.running--;
          this.failure ??= { error };
          this.waiting.length = 0;
          this.settle();
        },
      );
    }
  }

  private settle(): void {
    const waiters = this.idle;
    this.idle = [];
    for (const w of waiters) {
      if (this.failure) w.reject(this.failure.error);
      else w.resolve();
    }
  }
}
