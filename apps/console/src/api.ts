// The console's only way to the platform: the public HTTP API with the signed-in user's secret.
import { type ApiKeyScope, type CallerIdentity } from '@strata/contracts';

/** Who is signed in: the platform admin, or an API key bound to one tenant. */
export interface Session {
  secret: string;
  kind: 'admin' | 'key';
  /** The key's tenant; the admin picks a tenant per page. */
  tenantId: string | null;
  /** The key's scopes; null for the admin, who may do everything. */
  scopes: ApiKeyScope[] | null;
}

/** Whether the session may read its tenant's data and settings (a `write`-only key may not). */
export function canRead(session: Session): boolean {
  // Sessions stored before scopes were kept read as before.
  return !session.scopes || session.scopes.some((s) => s === 'read' || s === 'admin');
}

/** An error as the API answered it: the Strata `{error:{code,message}}` or Prometheus' `{errorType,error}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** Options of one API call. */
export interface CallOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  /** The tenant a data request acts for (sent as X-Scope-OrgID by the admin). */
  tenant?: string | null;
  headers?: Record<string, string>;
}

/** The parsed answer and the headers (ETag) of a successful call. */
export interface Answer<T> {
  body: T;
  headers: Headers;
}

/** Calls the API as the session and throws ApiError for any non-2xx answer. */
export async function call<T>(
  session: Pick<Session, 'secret' | 'kind'>,
  path: string,
  options: CallOptions = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    authorization: `Bearer ${session.secret}`,
    ...options.headers,
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.tenant && session.kind === 'admin') headers['x-scope-orgid'] = options.tenant;
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (error) {
    throw new ApiError(0, 'unreachable', `the API did not answer: ${String(error)}`);
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) throw errorOf(response.status, parsed);
  return { body: parsed as T, headers: response.headers };
}

function errorOf(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object') {
    const b = body as {
      error?: unknown;
      errorType?: unknown;
    };
    if (b.error && typeof b.error === 'object') {
      const e = b.error as { code?: string; message?: string; fields?: ApiError['fields'] };
      return new ApiError(status, e.code ?? 'error', e.message ?? '', e.fields ?? []);
    }
    if (typeof b.errorType === 'string')
      return new ApiError(status, b.errorType, typeof b.error === 'string' ? b.error : '');
  }
  return new ApiError(status, `http_${status}`, typeof body === 'string' ? body : '');
}

/**
 * Signs in with a secret through `/api/v1/whoami`, which any valid credential may ask: it names
 * the admin, or a key with its tenant and scopes. A wrong secret is the guard's 401, shown as the
 * API wrote it.
 */
export async function signIn(secret: string): Promise<Session> {
  const { body } = await call<CallerIdentity>({ secret, kind: 'key' }, '/api/v1/whoami');
  return body.kind === 'platform-admin'
    ? { secret, kind: 'admin', tenantId: null, scopes: null }
    : { secret, kind: 'key', tenantId: body.tenantId, scopes: body.scopes };
}

/** Builds a query string from defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}
