import { type PostableAlert } from '@strata/alertmanager';

interface Waiting {
  readonly alerts: PostableAlert[];
  readonly settle: Array<{ resolve(): void; reject(error: unknown): void }>;
}

/**
 * Group commit of a tenant's posts: a post that finds no store of the tenant under way is stored
 * at once; posts that arrive while one is under way wait for it to end and are then stored
 * together, in arrival order, in one publish. Each post resolves once the publish holding its
 * alerts was acknowledged, and fails with it. Under load, one JetStream message (one write, one
 * acknowledgement, one fold on every replica) carries several posts; alone, a post waits for
 * nothing.
 */
export class AlertGroupCommit {
  /** Tenants with a publish under way. */
  private readonly busy = new Set<string>();
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly publish: (tenantId: string, alerts: PostableAlert[]) => Promise<void>,
  ) {}

  /** Resolves once `alerts` are stored, with whatever other posts of the tenant went with them. */
  store(tenantId: string, alerts: readonly PostableAlert[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let w = this.waiting.get(tenantId);
      if (w === undefined) this.waiting.set(tenantId, (w = { alerts: [], settle: [] }));
      for (const a of alerts) w.alerts.push(a);
      w.settle.push({ resolve, reject });
      if (!this.busy.has(tenantId)) void this.drain(tenantId);
    });
  }

  private async drain(tenantId: string): Promise<void> {
    this.busy.add(tenantId);
    try {
      for (let w = this.waiting.get(tenantId); w !== undefined; w = this.waiting.get(tenantId)) {
        this.waiting.delete(tenantId);
        try {
          await this.publish(tenantId, w.alerts);
          for (const s of w.settle) s.resolve();
        } catch (error) {
          for (const s of w.settle) s.reject(error);
        }
      }
    } finally {
      this.busy.delete(tenantId);
    }
  }
}
