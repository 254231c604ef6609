import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { callerOf, requestOf } from '../http/request-state';

/** Injects the authenticated `Caller` (principal, request id, source address) into a handler. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  callerOf(requestOf(context)),
);
