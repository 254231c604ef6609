import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { BusClient } from '@strata/bus';
import {
  type EventRecordKind,
  type EventSearchRequest,
  type EventSearchResult,
  EventsSubjects,
  StrataError,
} from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { RouteDoc } from '../openapi/api-doc.decorator';

const TEXT_PARAMS = {
  cluster: 'cluster',
  namespace: 'namespace',
  name: 'name',
  resource: 'resource',
  reason: 'reason',
  type: 'type',
  user: 'user',
  verb: 'verb',
  q: 'text',
} as const;
const KNOWN = new Set([
  ...Object.keys(TEXT_PARAMS),
  'start',
  'end',
  'sort',
  'limit',
  'cursor',
  'interval',
  'response_code',
  'exact_total',
]);

/**
 * Search of the calling tenant's archive: filters, time range, keyset cursor, sort and a
 * histogram per interval. The tenant comes from admission only, so no parameter reaches another's rows.
 */
@ApiTags('events')
@Controller('api/v1')
export class EventsSearchController {
  private readonly client: BusClient;

  constructor(
    private readonly admission: TenantAdmission,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.client = new BusClient(options.bus);
  }

  @Get('events/search')
  @RouteDoc({
    summary: 'Search archived Kubernetes events',
    access: 'read scope, or platform admin naming the tenant',
  })
  events(@Req() request: FastifyRequest): Promise<EventSearchResult> {
    return this.search(request, 'events');
  }

  @Get('audit/search')
  @RouteDoc({
    summary: 'Search archived audit events',
    access: 'read scope, or platform admin naming the tenant',
  })
  audit(@Req() request: FastifyRequest): Promise<EventSearchResult> {
    return this.search(request, 'audit');
  }

  private async search(request: FastifyRequest, kind: EventRecordKind): Promise<EventSearchResult> {
    const tenantId = await this.admission.admit(request, 'read');
    const search = searchParams(
      tenantId,
      kind,
      (request.query ?? {}) as Record<string, unknown>,
      Date.now(),
    );
    return this.client.ask(EventsSubjects.search, search, {
      timeoutMs: 30_000,
    });
  }
}

/** Reads the query string into a search; unknown parameters and bad values are 400s naming them. */
export function searchParams(
  tenantId: string,
  kind: EventRecordKind,
  query: Record<string, unknown>,
  now: number,
): EventSearchRequest {
  for (const key of Object.keys(query))
    if (!KNOWN.has(key)) throw bad(key, 'is not a search parameter');
  const one = (key: string): string | undefined => {
    const v = query[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw bad(key, 'must be given once, not empty');
    return v;
  };
  const end = timeParam('end', one('end')) ?? now;
  const start = timeParam('start', one('start')) ?? end - 3_600_000;
  const request: EventSearchRequest = { tenantId, kind, start, end };
  for (const [param, field] of Object.entries(TEXT_PARAMS)) {
    const v = one(param);
    if (v !== undefined) request[field] = v;
  }
  const sort = one('sort');
  if (sort !== undefined) {
    if (sort !== 'asc' && sort !== 'desc') throw bad('sort', 'must be asc or desc');
    request.sort = sort;
  }
  const limit = one('limit');
  if (limit !== undefined) request.limit = intParam('limit', limit, 0, 1000);
  const code = one('response_code');
  if (code !== undefined) request.responseCode = intParam('response_code', code, 0, 999);
  const cursor = one('cursor');
  if (cursor !== undefined) request.cursor = cursor;
  const interval = one('interval');
  if (interval !== undefined) request.intervalSeconds = durationSeconds(interval);
  const exact = one('exact_total');
  if (exact !== undefined) {
    if (exact !== 'true' && exact !== 'false') throw bad('exact_total', 'must be true or false');
    request.exactTotal = exact === 'true';
  }
  return request;
}

function timeParam(key: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  // Unix seconds (KubeSphere's start_time/end_time, Prometheus' API) or RFC 3339.
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw bad(key, 'must be unix seconds or an RFC 3339 time');
  return t;
}

function intParam(key: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw bad(key, `must be an integer from ${min} to ${max}`);
  return n;
}

function durationSeconds(v: string): number {
  const m = /^(\d+)(s|m|h|d)?$/.exec(v);
  if (!m || Number(m[1]) === 0)
    throw bad('interval', 'must be a positive duration such as 60, 30s, 5m, 1h or 1d');
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
}

function bad(path: string, message: string): StrataError {
  return new StrataError('bad_request', `${path} ${message}`, [{ path, message }], {
    reason: 'bad_search_parameter',
  });
}
