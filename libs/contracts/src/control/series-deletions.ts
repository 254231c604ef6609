import { z } from 'zod';
import { TenantId } from './ids';

/** The id of a series deletion request: the ULID its tombstone file in the bucket is named by. */
export const SeriesDeletionId = z
  .string()
  .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID (26 Crockford base-32 characters)');

/** What a series deletion asks for: series matching any selector lose their samples in [minTime, maxTime] (ms, inclusive). */
export const SeriesDeletionSpec = z
  .object({
    tenantId: TenantId,
    requestId: SeriesDeletionId,
    selectors: z.array(z.string().min(1).max(16_384)).min(1).max(100),
    minTime: z.number().int(),
    maxTime: z.number().int(),
  })
  .strict();
export type SeriesDeletionSpec = z.infer<typeof SeriesDeletionSpec>;

/** Events of the series deletion aggregate (one stream per tenant and request). */
export type SeriesDeletionEvent = { type: 'SeriesDeletionRequested'; data: SeriesDeletionSpec };

/** A recorded deletion request as replay shows it; who asked is the event's actor. */
export interface SeriesDeletionView extends SeriesDeletionSpec {
  requestedBy: string;
  requestedAt: string;
}
