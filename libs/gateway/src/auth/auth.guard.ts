import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { requestOf, stateOf } from '../http/request-state';
import { Authenticator } from './authenticator.service';
import { PUBLIC_ROUTE } from './public.decorator';

/** Authenticates every REST route and GraphQL field that is not marked `@Public()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = requestOf(context);
    const state = stateOf(request);
    state.authentication ??= this.authenticator.authenticate(
      request.headers.authorization,
      request.id,
    );
    const principal = await state.authentication;
    state.principal = principal;
    if (principal.kind === 'api-key') state.tenant = principal.tenantId;
    return true;
  }
}
