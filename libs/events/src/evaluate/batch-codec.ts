import {
  EVENT_BATCH_HEADER,
  EventBatch,
  EventBatchMeta,
  StrataError,
  type EventBatchMeta as Meta,
} from '@strata/contracts';
import {
  BatchError,
  type ParsedBatch,
  parseAuditEventList,
  parseKubeEventsBody,
  parsedBatches,
} from '@strata/event-rules';
import { arrayElementTexts } from './json-items';

const decoder = new TextDecoder();

/** A message the evaluator cannot read, which would fail the same way again (so it is terminated). */
function poison(message: string, cause?: unknown): StrataError {
  return new StrataError('bad_request', message, undefined, { reason: 'bad_batch', cause });
}

function jsonOf(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw poison(`${what} is not JSON`, error);
  }
}

/**
 * A stored batch as read: for an audit `EventList`, also a way to find each item's JSON text as it
 * is in the body (same order), which the archive stores instead of serialising the item again.
 */
export interface StoredBatch {
  readonly batch: EventBatch;
  /** Scans the body when called (~a quarter of what serialising every item costs). */
  readonly itemTexts?: () => readonly string[] | undefined;
}

/**
 * The batch a body and its metadata carry: the body read again with the edge's own parser, or,
 * when given, what that parser made of the same body (`parsed`, handed over in memory).
 */
export function batchOf(meta: Meta, body: Uint8Array, parsed?: ParsedBatch): StoredBatch {
  const held = parsed?.kind === meta.kind ? parsed : undefined;
  const text = held?.text ?? decoder.decode(body);
  try {
    if (meta.kind === 'audit') {
      const items = held?.kind === 'audit' ? held.items : parseAuditEventList(text);
      return {
        batch: {
          kind: 'audit',
          tenantId: meta.tenantId,
          batchId: meta.batchId,
          receivedAt: meta.receivedAt,
          cluster: meta.cluster,
          items,
        },
        itemTexts: () => {
          const texts = arrayElementTexts(text, 'items');
          // Equal always, for a body JSON.parse read; checked so a miscount can only cost time.
          return texts?.length === items.length ? texts : undefined;
        },
      };
    }
    return {
      batch: {
        kind: 'events',
        tenantId: meta.tenantId,
        batchId: meta.batchId,
        receivedAt: meta.receivedAt,
        items: held?.kind === 'events' ? held.items : parseKubeEventsBody(text, meta.cluster),
      },
    };
  } catch (error) {
    if (error instanceof BatchError) throw poison(`batch ${meta.batchId}: ${error.message}`, error);
    throw error;
  }
}

/**
 * A `STRATA_EVENTS` message as a batch: the raw body with its {@link EVENT_BATCH_HEADER}, or a
 * JSON {@link EventBatch} as messages were stored before the header existed.
 */
export function storedBatch(data: Uint8Array, headers: Record<string, string>): StoredBatch {
  const header = headers[EVENT_BATCH_HEADER];
  if (header === undefined) {
    const parsed = EventBatch.safeParse(jsonOf(decoder.decode(data), 'a stored batch'));
    if (!parsed.success) throw poison(`a stored batch is invalid: ${parsed.error.message}`);
    return { batch: parsed.data };
  }
  const meta = EventBatchMeta.safeParse(jsonOf(header, EVENT_BATCH_HEADER));
  if (!meta.success) throw poison(`${EVENT_BATCH_HEADER} is invalid: ${meta.error.message}`);
  // The message id is the batch id, a digest of the body: a batch the gateway of this process
  // parsed is these bytes, read.
  return batchOf(meta.data, data, parsedBatches.take(meta.data.batchId));
}
