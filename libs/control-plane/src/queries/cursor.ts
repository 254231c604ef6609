import { StrataError } from '@strata/contracts';

/** Encodes a page position as an opaque cursor. */
export function encodeCursor(value: string | number): string {
  return Buffer.from(JSON.stringify({ v: value })).toString('base64url');
}

/** Decodes a cursor from `encodeCursor`, or answers validation_failed for anything else. */
export function decodeCursor<T extends string | number>(
  cursor: string | undefined,
  kind: 'string' | 'number',
): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown };
    if (typeof parsed.v === kind) return parsed.v as T;
  } catch {
    // fall through to the validation error
  }
  throw new StrataError('validation_failed', 'invalid cursor', [
    { path: 'query.cursor', message: 'not a cursor this endpoint returned' },
  ]);
}
