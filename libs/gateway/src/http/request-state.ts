import { randomUUID } from 'node:crypto';
import { type ExecutionContext } from '@nestjs/common';
import { type GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { type FastifyRequest } from 'fastify';
import { type Caller, type Principal } from '../auth/principal';

/** What the gateway learns about a request while handling it. */
export interface RequestState {
  /** Memoised so that the fields of one GraphQL document authenticate once. */
  authentication?: Promise<Principal>;
  principal?: Principal;
  /** The tenant the request was attributed to, for metrics. */
  tenant?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    strata?: RequestState;
  }
}

/** The per-request state, created on first use. */
export function stateOf(request: FastifyRequest): RequestState {
  request.strata ??= {};
  return request.strata;
}

/** The Fastify request behind a REST handler or a GraphQL resolver. */
export function requestOf(context: ExecutionContext): FastifyRequest {
  if (context.getType<GqlContextType>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ req: FastifyRequest }>().req;
  }
  return context.switchToHttp().getRequest<FastifyRequest>();
}

/** The authenticated caller of a request that passed the auth guard. */
export function callerOf(request: FastifyRequest): Caller {
  const principal = stateOf(request).principal;
  if (!principal) throw new Error('callerOf used on a route without authentication');
  return { principal, requestId: request.id, sourceAddress: request.ip };
}

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Keeps a caller's `X-Request-Id` when it is sane, so logs and audit entries can be joined end to end. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && REQUEST_ID.test(value) ? value : randomUUID();
}
