import { z } from 'zod';
import { TenantId } from '../control/ids';
import { Streams } from '../subjects';

/**
 * A remote write sent to the router as JSON over `Subjects.routerWrite`, the body being the raw
 * (snappy-compressed) HTTP body in base64. The gateway uses `Subjects.routerWriteBinary` instead
 * (`RouterWriteMeta` + the body as bytes); this JSON form stays for callers that only speak JSON.
 * Bodies above max_payload are chunked by the bus.
 */
export const RouterWriteRequest = z
  .object({
    tenantId: TenantId,
    contentType: z.string().max(200).nullable(),
    contentEncoding: z.string().max(100).nullable(),
    /** Base64 of the HTTP body as received. */
    body: z.string(),
    /** Sender's `X-Prometheus-Remote-Write-Version`, kept for logs and metrics. */
    protocolVersion: z.string().max(20).nullable().default(null),
  })
  .strict();
export type RouterWriteRequest = z.infer<typeof RouterWriteRequest>;

/**
 * The metadata of a remote write sent over `Subjects.routerWriteBinary`: the same fields as
 * `RouterWriteRequest` minus the body, which travels as the raw payload (no base64, no JSON).
 */
export const RouterWriteMeta = RouterWriteRequest.omit({ body: true }).strict();
export type RouterWriteMeta = z.infer<typeof RouterWriteMeta>;

/** Why the router refused some samples of a write it otherwise stored. */
export const SAMPLE_REFUSAL_REASONS = ['sample_too_far_in_future', 'sample_too_old'] as const;
/** A reason from {@link SAMPLE_REFUSAL_REASONS}. */
export type SampleRefusalReason = (typeof SAMPLE_REFUSAL_REASONS)[number];

/**
 * Samples of a write the router refused while it stored the rest, as Mimir's distributor does:
 * the gateway answers 400 `bad_request` with this reason and message, and the written counts.
 */
export interface RouterWriteRefusal {
  reason: SampleRefusalReason;
  message: string;
  /** Samples refused, all reasons together. */
  samples: number;
}

/** What the router wrote, for the `X-Prometheus-Remote-Write-*-Written` headers. */
export interface RouterWriteResponse {
  samples: number;
  histograms: number;
  exemplars: number;
  /** Present when some samples were refused; the counts above are what was stored. */
  refused?: RouterWriteRefusal;
}

/** Active series per tenant held by one partition's head, as its owner reports it. */
export interface ActiveSeriesReport {
  partition: number;
  /** Instance id of the ingester that owns the partition. */
  owner: string;
  /** Milliseconds since epoch of the report. */
  at: number;
  tenants: Record<string, number>;
}

/** The value of a partition lease in `KvBuckets.ingestLeases`. */
export interface PartitionLease {
  owner: string;
  acquiredAt: number;
}

/** The declaration of `Streams.ingest` both router and ingester make at start (structurally a bus `StreamSpec`). */
export function ingestStreamSpec(limits: { maxAgeSeconds: number; maxBytes: number }) {
  return {
    name: Streams.ingest.name,
    subjects: [...Streams.ingest.subjects],
    retention: 'limits' as const,
    storage: 'file' as const,
    maxAgeMs: limits.maxAgeSeconds * 1000,
    maxBytes: limits.maxBytes,
    // A retried write within this window stores nothing new (message ids are deterministic).
    duplicateWindowMs: Math.min(limits.maxAgeSeconds * 1000, 5 * 60_000),
  };
}
