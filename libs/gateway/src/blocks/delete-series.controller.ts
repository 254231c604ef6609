import { Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  type DeletionRequest,
  listDeletionRequests,
  newDeletionRequest,
  parseDeletionSelector,
  putDeletionRequest,
} from '@strata/blocks';
import { StrataError } from '@strata/contracts';
import { type Bucket } from '@strata/objstore';
import { type FastifyRequest } from 'fastify';
import { tenantIdOf } from '../admin/tenant-admin.service';
import { AccessPolicy } from '../auth/access-policy';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller, commandContextOf } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { paramsOf } from '../prometheus-api/prometheus-api.controller';
import { type ApiParams, parseTime } from '../prometheus-api/params';

/** Prometheus' bounds of `delete_series` when `start` or `end` is absent (its `minTime`/`maxTime`, in ms). */
const MIN_TIME = -9_223_372_036_854;
const MAX_TIME = 9_223_372_036_854;

/**
 * Series deletion, Prometheus' `delete_series` per tenant: the request is recorded in the control
 * plane's audit trail (`SeriesDeletionRequested`, by the caller), then stored as a tombstone file in
 * the bucket; queries stop returning its samples at once, and the compactor rewrites the blocks
 * holding them until the request is `applied`.
 */
@ApiTags('blocks')
@Controller('api/v1/admin')
export class DeleteSeriesController {
  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly controlPlane: ControlPlaneClient,
  ) {}

  @Post('tenants/:id/delete_series')
  @HttpCode(202)
  @RouteDoc({
    summary: "Delete the tenant's samples of series matching match[] in [start, end]",
    access: 'platform admin',
    status: 202,
  })
  @ApiQuery({ name: 'match[]', required: true, isArray: true, description: 'series selector' })
  @ApiQuery({ name: 'start', required: false, description: 'RFC 3339 or Unix seconds' })
  @ApiQuery({ name: 'end', required: false, description: 'RFC 3339 or Unix seconds' })
  async create(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
  ): Promise<DeletionRequest> {
    return this.record(caller, tenantIdOf(id), paramsOf(request));
  }

  @Post('tsdb/delete_series')
  @HttpCode(204)
  @RouteDoc({
    summary:
      "Prometheus' own path: delete the samples of the tenant named by the tenant header (X-Scope-OrgID)",
    access: 'platform admin',
    status: 204,
  })
  @ApiQuery({ name: 'match[]', required: true, isArray: true, description: 'series selector' })
  @ApiQuery({ name: 'start', required: false, description: 'RFC 3339 or Unix seconds' })
  @ApiQuery({ name: 'end', required: false, description: 'RFC 3339 or Unix seconds' })
  async prometheus(@CurrentCaller() caller: Caller, @Req() request: FastifyRequest): Promise<void> {
    const header = request.headers[this.options.config.tenantHeader.toLowerCase()];
    await this.record(
      caller,
      tenantIdOf(Array.isArray(header) ? header[0] : header),
      paramsOf(request),
    );
  }

  @Get('tenants/:id/delete_series')
  @RouteDoc({
    summary: "The tenant's deletion requests, oldest first, with their state (pending, applied)",
    access: 'platform admin',
  })
  async list(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
  ): Promise<{ requests: DeletionRequest[] }> {
    AccessPolicy.requirePlatformAdmin(caller.principal, 'listing deletion requests');
    return { requests: await listDeletionRequests(this.bucket(), tenantIdOf(id)) };
  }

  private async record(
    caller: Caller,
    tenant: string,
    params: ApiParams,
  ): Promise<DeletionRequest> {
    AccessPolicy.requirePlatformAdmin(caller.principal, 'deleting series');
    const selectors = params.all('match[]');
    if (selectors.length === 0)
      throw new StrataError('validation_failed', 'no match[] parameter provided', [
        { path: 'match[]', message: 'at least one series selector is required' },
      ]);
    for (const s of selectors) {
      const parsed = parseDeletionSelector(s);
      if (typeof parsed === 'string')
        throw new StrataError('validation_failed', `invalid match[]: ${parsed}`, [
          { path: 'match[]', message: parsed },
        ]);
    }
    const start = timeOf(params.get('start'), 'start', MIN_TIME);
    const end = timeOf(params.get('end'), 'end', MAX_TIME);
    if (end < start)
      throw new StrataError('validation_failed', 'end timestamp must not be before start time', [
        { path: 'end', message: 'before start' },
      ]);
    const stored = newDeletionRequest({
      tenant,
      selectors,
      minTime: start,
      maxTime: end,
      requestedBy: caller.principal.actor,
      nowMs: Date.now(),
    });
    const bucket = this.bucket();
    // The audit event comes first, so no tombstone (no deleted sample) exists without a record of
    // who asked. If the tombstone write then fails the caller gets the error and the event stays:
    // it records a request that never took effect, which the bucket's listing does not show.
    await this.controlPlane.command(
      {
        type: 'RequestSeriesDeletion',
        tenantId: tenant,
        requestId: stored.id,
        selectors: stored.selectors,
        minTime: stored.minTime,
        maxTime: stored.maxTime,
      },
      commandContextOf(caller),
    );
    await putDeletionRequest(bucket, stored);
    return stored;
  }

  private bucket(): Bucket {
    const bucket = this.options.bucket;
    if (bucket === undefined)
      throw new StrataError('unavailable', 'this gateway has no block bucket configured');
    return bucket;
  }
}

function timeOf(value: string, name: string, fallback: number): number {
  if (value === '') return fallback;
  try {
    return parseTime(value);
  } catch (e) {
    throw new StrataError('validation_failed', `invalid ${name}: ${(e as Error).message}`, [
      { path: name, message: (e as Error).message },
    ]);
  }
}
