import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type BusContext } from './bus-context';

/** The JSON metadata of a binary request (`codec: 'binary'`), to validate with a pipe like a payload. */
export const BusMeta = createParamDecorator(
  (_data: unknown, context: ExecutionContext): unknown =>
    context.switchToRpc().getContext<BusContext>().meta,
);
