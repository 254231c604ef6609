import { type PipeTransform } from '@nestjs/common';
import { parseOrThrow } from '@strata/contracts';
import { type ZodType, type ZodTypeDef } from 'zod';

/**
 * Validates a handler's payload (or `@BusMeta()`) with a contract's zod schema at the boundary:
 * `@Payload(new ValidatePayload(StoreRequest, 'Store API request'))`. A mismatch is a
 * `validation_failed` error naming every bad field.
 */
export class ValidatePayload<T> implements PipeTransform<unknown, T> {
  constructor(
    private readonly schema: ZodType<T, ZodTypeDef, unknown>,
    private readonly what: string,
  ) {}

  transform(value: unknown): T {
    return parseOrThrow(this.schema, value, this.what);
  }
}
