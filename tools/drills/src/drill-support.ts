// What both drills share: the gateway calls a user makes (readiness, a tenant, a query) and the
// JetStream facts they print (replicas, leaders), read from nats-server's monitoring endpoint.

/** The platform admin token of the drills' processes. */
export const DRILL_ADMIN_TOKEN = 'drill-admin-token-0123456789abcdef';

/** Headers of the drills' writes and reads: the platform admin acting for `tenant`. */
export function tenantHeaders(tenant: string): Record<string, string> {
  return { authorization: `Bearer ${DRILL_ADMIN_TOKEN}`, 'x-scope-orgid': tenant };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function poll<T>(
  what: string,
  timeoutMs: number,
  attempt: () => Promise<T | null>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== null) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await sleep(250);
  }
}

/** Waits until the gateway's `/readyz` answers 200 (bus and control plane up). */
export function waitReady(gatewayUrl: string, timeoutMs = 120_000): Promise<void> {
  return poll('gateway not ready', timeoutMs, async () =>
    (await fetch(`${gatewayUrl}/readyz`)).ok ? undefined : null,
  );
}

/** Creates the tenant through the admin API (an existing one is fine). */
export async function createTenant(gatewayUrl: string, tenant: string): Promise<void> {
  await poll(`tenant ${tenant} not created`, 60_000, async () => {
    const res = await fetch(`${gatewayUrl}/api/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DRILL_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: tenant, displayName: tenant }),
    });
    if (res.status === 201 || res.status === 409) return undefined;
    throw new Error(`${res.status} ${await res.text()}`);
  });
}

/**
 * Waits until a query over the tenant's data answers, i.e. every partition has an owner that has
 * caught up with its stream; returns how long that took.
 */
export async function waitQueryable(
  gatewayUrl: string,
  tenant: string,
  metric: string,
  timeoutMs = 120_000,
): Promise<number> {
  const started = Date.now();
  await poll('queries did not answer', timeoutMs, async () => {
    const res = await fetch(
      `${gatewayUrl}/api/v1/query?query=${encodeURIComponent(`count(${metric})`)}`,
      { headers: tenantHeaders(tenant) },
    );
    if (res.ok) return undefined;
    throw new Error(`${res.status} ${await res.text()}`);
  });
  return Date.now() - started;
}

/** A stream's replica count and current leader, as a nats-server of the cluster reports them. */
export interface StreamPlacement {
  replicas: number;
  leader: string | null;
}

interface Jsz {
  account_details?: Array<{
    stream_detail?: Array<{
      name: string;
      config?: { num_replicas?: number };
      cluster?: { leader?: string };
    }>;
  }>;
}

/** Every stream (KV buckets are streams `KV_<bucket>`) with its replicas and leader. */
export async function streamPlacements(monitorUrl: string): Promise<Map<string, StreamPlacement>> {
  const res = await fetch(`${monitorUrl}/jsz?accounts=true&streams=true&config=true`);
  const jsz = (await res.json()) as Jsz;
  const out = new Map<string, StreamPlacement>();
  for (const account of jsz.account_details ?? []) {
    for (const s of account.stream_detail ?? [])
      out.set(s.name, { replicas: s.config?.num_replicas ?? 1, leader: s.cluster?.leader ?? null });
  }
  return out;
}
