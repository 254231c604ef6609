import { type PositionRange } from './ast';

/**
 * Renders the `line:column` of a byte offset the way Prometheus' `PositionRange.StartPosInput`
 * does: lines count from 1 (plus `lineOffset`), columns are 1-based byte columns.
 */
export function startPosInput(query: string, pos: PositionRange, lineOffset = 0): string {
  if (query === '') return 'unknown position';
  const bytes = Buffer.from(query, 'utf8');
  const start = pos.start;
  if (start < 0 || start > bytes.length) return 'invalid position';
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < start; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lastBreak = i;
    }
  }
  return `${line + lineOffset}:${start - lastBreak}`;
}

/** A PromQL parse or type-check failure, formatted like Prometheus' `ParseErr`. */
export class ParseError extends Error {
  override readonly name = 'ParseError';

  /** The byte range of the query the error points at. */
  readonly positionRange: PositionRange;

  /** The full query text the position refers to. */
  readonly query: string;

  /** Lines to add to the reported line number, for queries embedded in larger files. */
  readonly lineOffset: number;

  /** The bare message without the `line:col: parse error:` prefix. */
  readonly detail: string;

  constructor(positionRange: PositionRange, detail: string, query: string, lineOffset = 0) {
    super(`${startPosInput(query, positionRange, lineOffset)}: parse error: ${detail}`);
    this.positionRange = positionRange;
    this.query = query;
    this.lineOffset = lineOffset;
    this.detail = detail;
  }

  /** The same error reported for a query that starts `lineOffset` lines into a larger file. */
  withLineOffset(lineOffset: number): ParseError {
    return new ParseError(this.positionRange, this.detail, this.query, lineOffset);
  }
}
