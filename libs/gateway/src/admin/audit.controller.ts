import { Controller, Get, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  type AuditEntry,
  type ChainVerification,
  type ControlPlaneSnapshot,
  type Page,
} from '@strata/contracts';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { ApiSchemas } from '../openapi/api-schemas';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { type AuditFilterParams, AuditService } from './audit.service';

/** REST for the audit trail, replay and chain verification. */
@ApiTags('audit')
@Controller('api/v1/admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RouteDoc({
    summary: 'List audit entries, oldest first',
    access: 'platform admin, or read scope (own tenant only)',
    response: ApiSchemas.auditPage,
  })
  @ApiQuery({ name: 'tenant', required: false })
  @ApiQuery({ name: 'actor', required: false })
  @ApiQuery({ name: 'type', required: false, description: 'event type, e.g. QuotaSet' })
  @ApiQuery({ name: 'from', required: false, description: 'RFC 3339 instant' })
  @ApiQuery({ name: 'to', required: false, description: 'RFC 3339 instant' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  list(
    @CurrentCaller() caller: Caller,
    @Query() query: AuditFilterParams,
  ): Promise<Page<AuditEntry>> {
    return this.audit.list(caller, query);
  }

  @Get('replay')
  @RouteDoc({
    summary: 'The control plane as of an instant or a position',
    access: 'platform admin, or read scope (own tenant only)',
    response: ApiSchemas.snapshot,
  })
  @ApiQuery({
    name: 'at',
    required: false,
    description: 'RFC 3339 instant; exactly one of at and position',
  })
  @ApiQuery({ name: 'position', required: false, type: Number })
  replay(
    @CurrentCaller() caller: Caller,
    @Query() query: { at?: unknown; position?: unknown },
  ): Promise<ControlPlaneSnapshot> {
    return this.audit.replay(caller, query);
  }

  @Get('verify')
  @RouteDoc({
    summary: 'Verify the hash chain of the event store',
    access: 'platform admin',
    response: ApiSchemas.verification,
  })
  verify(@CurrentCaller() caller: Caller): Promise<ChainVerification> {
    return this.audit.verify(caller);
  }
}
