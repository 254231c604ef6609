import { type FieldError, StrataError } from '@strata/contracts';
import { type ZodIssue, type ZodType, type ZodTypeDef } from 'zod';

/** How field paths of a validated object are shown to the caller. */
export interface ValidateOptions {
  /** Drops this leading segment (the body of PATCH /quota is the command's `quota`). */
  stripPrefix?: string;
  /** Renames the first segment (`tenantId` is the `tenant` query parameter). */
  rename?: Record<string, string>;
}

/**
 * Parses untrusted input with a contract schema or throws `validation_failed` naming each bad
 * field; unknown keys are reported one by one under their own path.
 */
export function validate<T>(
  schema: ZodType<T, ZodTypeDef, unknown>,
  input: unknown,
  what: string,
  options: ValidateOptions = {},
): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.flatMap((issue) => fieldErrorsOf(issue, options));
  throw new StrataError(
    'validation_failed',
    `invalid ${what}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
    fields,
  );
}

function fieldErrorsOf(issue: ZodIssue, options: ValidateOptions): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: showPath([...issue.path, key], options),
      message: 'unknown field',
    }));
  }
  return [{ path: showPath(issue.path, options), message: issue.message }];
}

function showPath(path: Array<string | number>, options: ValidateOptions): string {
  let segments = path.map(String);
  if (options.stripPrefix !== undefined && segments[0] === options.stripPrefix)
    segments = segments.slice(1);
  if (segments.length > 0 && options.rename?.[segments[0]] !== undefined)
    segments[0] = options.rename[segments[0]];
  return segments.join('.') || '(root)';
}

/** The JSON object of a request body; an absent body is an empty object. */
export function bodyObject(
  body: unknown,
  reserved: readonly string[] = [],
): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new StrataError('validation_failed', 'the body must be a JSON object', [
      { path: '(root)', message: 'must be a JSON object' },
    ]);
  }
  const record = body as Record<string, unknown>;
  // Keys that come from the URL may not be smuggled in through the body.
  const smuggled = reserved.filter((key) => key in record);
  if (smuggled.length > 0) {
    throw new StrataError(
      'validation_failed',
      `invalid body: unknown field ${smuggled.join(', ')}`,
      smuggled.map((path) => ({ path, message: 'unknown field' })),
    );
  }
  return record;
}

/** Parses `If-Match` (`3`, `"3"` or `W/"3"`) into a stream version; `*` or absence means none. */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!match) {
    throw new StrataError('validation_failed', 'If-Match must hold one stream version', [
      { path: 'If-Match', message: 'must be a version such as "3"' },
    ]);
  }
  return Number(match[1]);
}

/** Combines `If-Match` with a body's `expectedVersion`; both given and different is a contradiction. */
export function expectedVersionOf(
  ifMatch: string | undefined,
  body: Record<string, unknown>,
): unknown {
  const fromHeader = versionFromIfMatch(ifMatch);
  if (
    fromHeader !== undefined &&
    body.expectedVersion !== undefined &&
    body.expectedVersion !== fromHeader
  ) {
    throw new StrataError('validation_failed', 'If-Match and expectedVersion disagree', [
      { path: 'expectedVersion', message: 'differs from If-Match' },
    ]);
  }
  return fromHeader ?? body.expectedVersion;
}

/** The strong ETag of a stream version. */
export function etagOf(version: number): string {
  return `"${version}"`;
}
