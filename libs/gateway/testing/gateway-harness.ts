import { type Bucket } from '@strata/objstore';
import { type GatewayConfig } from '../src/gateway.options';
import { type RunningGateway, startGateway } from '../src/start-gateway';
import { fakeBus } from '@strata/bus/testing';
import { FakeControlPlane } from './fake-control-plane';

/** The admin token of the unit specs. */
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A gateway on a random port over a fake control plane, and a small HTTP client for it. */
export interface Harness {
  gateway: RunningGateway;
  controlPlane: FakeControlPlane;
  connected: { value: boolean };
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  /** Issues a key through the fake directly, so the spec's own calls stay the only commands it sees. */
  issueKey(
    tenantId: string,
    scopes: Array<'read' | 'write' | 'admin'>,
  ): Promise<{ keyId: string; secret: string }>;
  close(): Promise<void>;
}

/** Options of one call: credentials default to the platform admin. */
export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  auth?: string | null;
  headers?: Record<string, string>;
}

/** Status, headers and parsed JSON body of a response. */
export interface CallResult {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Starts a gateway for one spec file. */
export async function startHarness(
  overrides: Partial<GatewayConfig> = {},
  extra: { bucket?: Bucket } = {},
): Promise<Harness> {
  const controlPlane = new FakeControlPlane();
  const connected = { value: true };
  const config: GatewayConfig = {
    adminToken: ADMIN_TOKEN,
    tenantHeader: 'x-scope-orgid',
    maxBodyBytes: 64 * 1024,
    host: '127.0.0.1',
    port: 0,
    tls: null,
    ...overrides,
  };
  const gateway = await startGateway({
    config,
    bus: fakeBus(connected),
    controlPlane,
    bucket: extra.bucket,
  });
  const call = async (
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<CallResult> => {
    const headers: Record<string, string> = { ...options.headers };
    const auth = options.auth === undefined ? `Bearer ${ADMIN_TOKEN}` : options.auth;
    if (auth !== null) headers.authorization = auth;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${gateway.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (metrics): keep the text.
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
  return {
    gateway,
    controlPlane,
    connected,
    call,
    async issueKey(tenantId, scopes) {
      const accepted = await controlPlane.command(
        { type: 'IssueApiKey', tenantId, name: 'spec', scopes },
        { actor: 'spec', actorKind: 'system', sourceAddress: '', requestId: 'spec' },
      );
      controlPlane.commands.length = 0;
      if (!accepted.apiKey) throw new Error('the fake issued no key');
      return accepted.apiKey;
    },
    close: () => gateway.close(),
  };
}

/** Creates tenants through the fake directly (not counted as commands of the spec). */
export async function seedTenants(harness: Harness, ...tenantIds: string[]): Promise<void> {
  for (const tenantId of tenantIds) {
    await harness.controlPlane.command(
      { type: 'CreateTenant', tenantId, displayName: tenantId.toUpperCase() },
      { actor: 'spec', actorKind: 'system', sourceAddress: '', requestId: 'spec' },
    );
  }
  harness.controlPlane.commands.length = 0;
}
