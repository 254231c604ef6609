import { type IngestedKubeEvent } from './batches';
import type { FlatValue } from '../go-values';

/** What the edge parsers made of a body, with the body's text (an audit item's archived text). */
export type ParsedBatch =
  | {
      readonly kind: 'audit';
      readonly text: string;
      readonly items: { readonly [key: string]: FlatValue }[];
    }
  | { readonly kind: 'events'; readonly text: string; readonly items: IngestedKubeEvent[] };

/** How many parsed batches wait for their consumer at most, and for how long. */
export interface HandoverLimits {
  readonly batches: number;
  readonly ageMs: number;
}

interface Held {
  readonly batch: ParsedBatch;
  readonly at: number;
}

/**
 * Batches the edge parsed, held for the consumer of the same process by the id JetStream stores
 * them under, so a body is parsed once when the gateway and the events service share a process.
 * The id is a digest of the body, so what is taken is what the stored bytes hold; a consumer that
 * finds nothing (another replica, a restart, a backlog past the limits) parses the stored bytes.
 * Nothing is held until a consumer in this process {@link open}s it.
 */
export class ParsedBatchHandover {
  private readonly held = new Map<string, Held>();
  private consumers = 0;

  constructor(private readonly limits: HandoverLimits) {}

  /** A consumer in this process will take batches from now on; the returned function undoes it. */
  open(): () => void {
    this.consumers++;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      if (--this.consumers === 0) this.held.clear();
    };
  }

  /** Holds a parsed batch under its stored id, unless no consumer here would take it. */
  put(id: string, batch: ParsedBatch, now = Date.now()): void {
    if (this.consumers === 0) return;
    this.held.delete(id);
    this.held.set(id, { batch, at: now });
    // Oldest first: a backlog's batches are evicted before fresh ones, and wait to be parsed.
    for (const [oldest, { at }] of this.held) {
      if (this.held.size <= this.limits.batches && now - at <= this.limits.ageMs) break;
      this.held.delete(oldest);
    }
  }

  /** The batch held under `id`, no longer held; undefined when it was never held or is gone. */
  take(id: string, now = Date.now()): ParsedBatch | undefined {
    const found = this.held.get(id);
    if (found === undefined) return undefined;
    this.held.delete(id);
    return now - found.at <= this.limits.ageMs ? found.batch : undefined;
  }

  /** Forgets a batch that will not be delivered (refused, failed or already stored). */
  drop(id: string): void {
    this.held.delete(id);
  }

  /** How many batches are held now. */
  get size(): number {
    return this.held.size;
  }
}

/**
 * The process' handover from the gateway's edge parser to the events service's consumer. The
 * limits keep a few seconds of a busy ingest: past them the consumer is behind, and parsing
 * again costs less than keeping parsed batches alive through a backlog.
 */
export const parsedBatches = new ParsedBatchHandover({ batches: 64, ageMs: 10_000 });
