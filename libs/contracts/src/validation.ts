import { type ZodType, type ZodTypeDef } from 'zod';
import { StrataError, type FieldError } from './errors';

/**
 * Parses untrusted input against a schema, or throws `validation_failed` naming every bad field,
 * so no boundary ever acts on half-valid input.
 */
export function parseOrThrow<T>(
  schema: ZodType<T, ZodTypeDef, unknown>,
  input: unknown,
  what: string,
): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldError[] = result.error.issues.map((issue) => ({
    path: issue.path.join('.') || '(root)',
    message: issue.message,
  }));
  throw new StrataError(
    'validation_failed',
    `invalid ${what}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
    fields,
  );
}
