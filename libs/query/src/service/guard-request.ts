import { PromApiError, type PromApiReply } from '@strata/contracts';
import { type ZodType, type ZodTypeDef } from 'zod';
import { errorReply } from '../engine/errors';

/**
 * Parses a query-service payload with its schema and runs the request, turning a bad payload into
 * Prometheus' `bad_data` and any thrown error into its error reply.
 */
export async function guardRequest<T, R>(
  schema: ZodType<T, ZodTypeDef, unknown>,
  input: unknown,
  run: (req: T) => Promise<R>,
): Promise<R | PromApiReply<never>> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return errorReply(new PromApiError('bad_data', `invalid request: ${detail}`));
  }
  try {
    return await run(parsed.data);
  } catch (error) {
    return errorReply(error);
  }
}
