import { StrataError } from '@strata/contracts';

/** The opaque cursor after a row: its time and id, the page's sort key. */
export function encodeCursor(timeMs: number, id: string): string {
  return Buffer.from(JSON.stringify([timeMs, id])).toString('base64url');
}

/** Reads a cursor back; a cursor that was not made by `encodeCursor` is a bad request. */
export function decodeCursor(cursor: string): { timeMs: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string')
      return { timeMs: value[0], id: value[1] };
  } catch {
    // Falls through to the refusal below.
  }
  throw new StrataError('bad_request', 'cursor is not one this API returned', undefined, {
    reason: 'bad_cursor',
  });
}
