import { ApiError, UnreachableError } from '../exit-codes';
import { type ApiTarget } from '../profiles';

/** A request of one command: method, path with query, JSON body and extra headers. */
export interface Request {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
}

/** A successful answer: the parsed body and the headers (ETag). */
export interface Answer<T> {
  body: T;
  headers: Headers;
}

/** Reads the error of a refused answer: Strata's `{error:{code,message}}` or Prometheus' `{errorType,error}`. */
function errorOf(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: unknown; errorType?: unknown };
    if (body.error && typeof body.error === 'object') {
      const e = body.error as { code?: string; message?: string };
      return new ApiError(status, e.code ?? `http_${status}`, e.message ?? '');
    }
    if (typeof body.errorType === 'string')
      return new ApiError(status, body.errorType, String(body.error ?? ''));
  } catch {
    // Not JSON (an Alertmanager-style text answer): keep the text.
  }
  return new ApiError(status, `http_${status}`, text.trim());
}

/** Calls the public HTTP API as the target's credential; the admin's tenant goes in X-Scope-OrgID. */
export async function api<T>(
  target: ApiTarget,
  path: string,
  req: Request = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    authorization: `Bearer ${target.token}`,
    ...(target.tenant ? { 'x-scope-orgid': target.tenant } : {}),
    ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...req.headers,
  };
  let response: Response;
  try {
    response = await fetch(`${target.url}${path}`, {
      method: req.method ?? 'GET',
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new UnreachableError(
      `cannot reach ${target.url}: ${cause?.code ?? cause?.message ?? String(error)}`,
    );
  }
  const text = await response.text();
  if (!response.ok) throw errorOf(response.status, text);
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // A text answer (a YAML rule list) stays text.
  }
  return { body: body as T, headers: response.headers };
}

/** Builds a query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}
