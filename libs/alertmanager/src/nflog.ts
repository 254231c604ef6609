/** What was last notified for one group to one integration (`nflogpb.Entry`). */
export interface NotificationLogEntry {
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
  readonly timestamp: number;
}

/**
 * The notification log, keyed by group key and integration: a notification is sent only when it
 * differs from the last entry or the repeat interval passed. Implementations shared by replicas
 * keep a restarted or second replica from sending again (one replica at a time writes them: see
 * `TenantDeps.sendsHere`).
 */
export interface NotificationLog {
  get(groupKey: string, receiverKey: string): Promise<NotificationLogEntry | undefined>;
  put(groupKey: string, receiverKey: string, entry: NotificationLogEntry): Promise<void>;
}

/** A notification log in memory, for one process and for tests. */
export class MemoryNotificationLog implements NotificationLog {
  private readonly entries = new Map<string, NotificationLogEntry>();
  get(groupKey: string, receiverKey: string): Promise<NotificationLogEntry | undefined> {
    return Promise.resolve(this.entries.get(`${groupKey}\u0000${receiverKey}`));
  }
  put(groupKey: string, receiverKey: string, entry: NotificationLogEntry): Promise<void> {
    this.entries.set(`${groupKey}\u0000${receiverKey}`, entry);
    return Promise.resolve();
  }
}

/** `DedupStage.needsUpdate`: whether this flush must notify, given the last entry. */
export function needsUpdate(
  entry: NotificationLogEntry | undefined,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  sendResolved: boolean,
  repeatIntervalMs: number,
  now: number,
): boolean {
  if (entry === undefined) return firing.size > 0;
  const logged = new Set(entry.firing);
  if (![...firing].every((f) => logged.has(f))) return true;
  if (firing.size === 0) return entry.firing.length > 0;
  const loggedResolved = new Set(entry.resolved);
  if (sendResolved && ![...resolved].every((r) => loggedResolved.has(r))) return true;
  return entry.timestamp < now - repeatIntervalMs;
}
