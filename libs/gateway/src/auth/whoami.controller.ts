import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type CallerIdentity } from '@strata/contracts';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { CurrentCaller } from './caller.decorator';
import { type Caller } from './principal';

/**
 * Who the caller is: the platform admin, or a key with its tenant and scopes. Every valid
 * credential may ask, a `write`-only key included, which can read nothing else.
 */
@ApiTags('admin')
@Controller('api/v1/whoami')
export class WhoamiController {
  @Get()
  @RouteDoc({ summary: 'The calling credential', access: 'any valid credential' })
  whoami(@CurrentCaller() caller: Caller): CallerIdentity {
    const p = caller.principal;
    return p.kind === 'platform-admin'
      ? { kind: 'platform-admin' }
      : { kind: 'api-key', tenantId: p.tenantId, keyId: p.keyId, scopes: [...p.scopes] };
  }
}
