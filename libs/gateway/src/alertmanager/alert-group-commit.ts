import { type PostableAlert } from '@strata/alertmanager';

interface Waiting {
  readonly alerts: PostableAlert[];
  /** Each post's JSON text, in order; null once a post came without its text. */
  texts: string[] | null;
  readonly settle: Array<{ resolve(): void; reject(error: unknown): void }>;
}

/**
 * Group commit of a tenant's posts, pipelined: a post that finds fewer than `window` stores of the
 * tenant under way is stored at once; posts that arrive while `window` are under way wait for one
 * of them to end and are then stored together, in arrival order, in one publish. Publishes leave
 * in arrival order on one connection, so the stream holds them in that order. Each post resolves
 * once the publish holding its alerts was acknowledged, and fails with it. Under load, one
 * JetStream message (one write, one acknowledgement, one fold on every replica) carries several
 * posts; alone, a post waits for nothing, and a post never waits for more than one store ahead of it.
 */
export class AlertGroupCommit {
  /** Stores under way, by tenant. */
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, Waiting>();

  /**
   * `publish` gets the alerts of the posts stored together and, when every one of them came with
   * it, the JSON text of each post (so it can store the posts as they came).
   */
  constructor(
    private readonly publish: (
      tenantId: string,
      alerts: PostableAlert[],
      texts: string[] | null,
    ) => Promise<void>,
    private readonly window = 1,
  ) {}

  /**
   * Resolves once `alerts` are stored, with whatever other posts of the tenant went with them;
   * `text` is the post's JSON text, which holds exactly `alerts`.
   */
  store(tenantId: string, alerts: readonly PostableAlert[], text?: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let w = this.waiting.get(tenantId);
      if (w === undefined) this.waiting.set(tenantId, (w = { alerts: [], texts: [], settle: [] }));
      for (const a of alerts) w.alerts.push(a);
      if (text === undefined) w.texts = null;
      else w.texts?.push(text);
      w.settle.push({ resolve, reject });
      this.next(tenantId);
    });
  }

  /** Publishes what waits, if the window has room. */
  private next(tenantId: string): void {
    const running = this.inFlight.get(tenantId) ?? 0;
    const w = this.waiting.get(tenantId);
    if (w === undefined || running >= this.window) return;
    this.waiting.delete(tenantId);
    this.inFlight.set(tenantId, running + 1);
    const done = (): void => {
      const left = (this.inFlight.get(tenantId) ?? 1) - 1;
      if (left === 0) this.inFlight.delete(tenantId);
      else this.inFlight.set(tenantId, left);
      this.next(tenantId);
    };
    this.publish(tenantId, w.alerts, w.texts).then(
      () => {
        for (const s of w.settle) s.resolve();
        done();
      },
      (error: unknown) => {
        for (const s of w.settle) s.reject(error);
        done();
      },
    );
  }
}
