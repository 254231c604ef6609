import { createHash } from 'node:crypto';
import { type LogRecord } from '@strata/contracts';
import { LogInputError } from '../errors';
import { checkLine, decodeUtf8, type LineRules, nsFromMs } from '../records';

/** The actions a bulk item may name; only `index` and `create` store documents here. */
export type BulkAction = 'index' | 'create' | 'update' | 'delete';

/** One item of a `_bulk` body: the record it stores, or the error ES would answer for it. */
export type BulkItem =
  | { action: BulkAction; index: string; id: string; record: LogRecord }
  | {
      action: BulkAction;
      index: string;
      id: string;
      error: { status: number; type: string; reason: string };
    };

const ACTIONS: readonly BulkAction[] = ['index', 'create', 'update', 'delete'];

/**
 * Parses an Elasticsearch `_bulk` NDJSON body into items. A body without its trailing newline, or
 * an action line that is not an action, refuses the whole request as ES does (it cannot tell
 * where the next item starts); a bad source line, a too long line or an unsupported action is an
 * error of its own item only. Ids absent from the action are derived from the body and the
 * item's position, so a retried request stores the same documents again under the same ids.
 */
export function parseBulk(
  body: Uint8Array | string,
  defaultIndex: string | undefined,
  rules: LineRules,
  nowMs: number,
  bodyId: string,
): BulkItem[] {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  if (bytes.length === 0 || bytes[bytes.length - 1] !== 0x0a)
    throw new LogInputError(
      'malformed',
      '',
      'The bulk request must be terminated by a newline [\\n]',
    );
  // Split on bytes, not text, so a source line that is not UTF-8 fails its own item only.
  const raw: Buffer[] = [];
  for (let start = 0; start < bytes.length;) {
    const lf = bytes.indexOf(0x0a, start);
    raw.push(bytes.subarray(start, lf));
    start = lf + 1;
  }
  const lines = raw.map((line, i) => () => decodeUtf8(line, `line ${i + 1}`));
  const items: BulkItem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const actionLine = lines[i]();
    if (actionLine.trim() === '') continue;
    const where = `line ${i + 1}`;
    const { action, meta } = parseAction(actionLine, where);
    const index = typeof meta._index === 'string' ? meta._index : defaultIndex;
    const id =
      typeof meta._id === 'string' && meta._id !== ''
        ? meta._id
        : createHash('sha256')
            .update(`${bodyId}\n${items.length}`)
            .digest('base64url')
            .slice(0, 20);
    if (action === 'delete') {
      items.push({ action, index: index ?? '', id, error: unsupported(action) });
      continue;
    }
    i++;
    if (i >= lines.length)
      throw new LogInputError('malformed', where, `the ${action} action has no source line`);
    if (index === undefined) {
      items.push({
        action,
        index: '',
        id,
        error: {
          status: 400,
          type: 'action_request_validation_exception',
          reason: 'Validation Failed: 1: index is missing;',
        },
      });
      continue;
    }
    if (action === 'update') {
      items.push({ action, index, id, error: unsupported(action) });
      continue;
    }
    try {
      items.push({
        action,
        index,
        id,
        record: toRecord(lines[i](), index, rules, nowMs, `line ${i + 1}`),
      });
    } catch (error) {
      if (!(error instanceof LogInputError)) throw error;
      items.push({
        action,
        index,
        id,
        error: {
          status: error.reason === 'line_too_long' ? 413 : 400,
          type:
            error.reason === 'line_too_long' ? 'document_too_large' : 'document_parsing_exception',
          reason: error.message,
        },
      });
    }
  }
  return items;
}

function parseAction(
  line: string,
  where: string,
): { action: BulkAction; meta: Record<string, unknown> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (cause) {
    throw new LogInputError(
      'malformed',
      where,
      `Malformed action/metadata line: ${(cause as Error).message}`,
      { cause },
    );
  }
  const keys =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? Object.keys(parsed)
      : [];
  const action = keys[0] as BulkAction;
  const meta = keys.length === 1 ? (parsed as Record<string, unknown>)[action] : undefined;
  if (keys.length !== 1 || !ACTIONS.includes(action) || typeof meta !== 'object' || meta === null)
    throw new LogInputError(
      'malformed',
      where,
      `Malformed action/metadata line, expected one of ${ACTIONS.join(', ')}`,
    );
  return { action, meta: meta as Record<string, unknown> };
}

function unsupported(action: BulkAction) {
  return {
    status: 400,
    type: 'illegal_argument_exception',
    reason: `the ${action} action is not supported by a log source (index and create are)`,
  };
}

/**
 * A document as a record: the line is its `message` when that is a string (Filebeat, Logstash,
 * Fluent Bit's es output), the whole source otherwise; the other fields stay fields; the index is
 * the `index` label; `@timestamp` (RFC 3339 or epoch ms) is the time when present.
 */
function toRecord(
  source: string,
  index: string,
  rules: LineRules,
  nowMs: number,
  where: string,
): LogRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(source);
  } catch (cause) {
    throw new LogInputError(
      'malformed',
      where,
      `failed to parse the document: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new LogInputError('malformed', where, 'the document must be a JSON object');
  const { message, ...rest } = doc as Record<string, unknown>;
  const line = typeof message === 'string' ? message : source;
  const fields = typeof message === 'string' ? rest : (doc as Record<string, unknown>);
  checkLine(line, rules, where);
  const stamp = rest['@timestamp'];
  const ms =
    typeof stamp === 'string' ? Date.parse(stamp) : typeof stamp === 'number' ? stamp : NaN;
  return {
    timestampNs: nsFromMs(Number.isFinite(ms) && ms >= 0 ? ms : nowMs),
    line,
    labels: { index },
    fields,
  };
}
