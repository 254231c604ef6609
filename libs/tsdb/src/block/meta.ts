import { z } from 'zod';
import { CorruptBlockError } from '../errors';

/** How a block came to be, Thanos' `thanos.source` values. */
export type BlockSource =
  | 'receive'
  | 'sidecar'
  | 'compactor'
  | 'compactor.repair'
  | 'ruler'
  | 'bucket.repair'
  | 'bucket.rewrite'
  | 'test'
  | '';

const fileSchema = z.object({
  rel_path: z.string(),
  size_bytes: z.number().int().nonnegative().optional(),
});

/** Schema of `meta.json`: Prometheus' block meta (version 1) with Thanos' `thanos` section. */
export const blockMetaSchema = z
  .object({
    ulid: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not a ULID'),
    minTime: z.number().int(),
    maxTime: z.number().int(),
    stats: z
      .object({
        numSamples: z.number().int().nonnegative().optional(),
        numSeries: z.number().int().nonnegative().optional(),
        numChunks: z.number().int().nonnegative().optional(),
        numTombstones: z.number().int().nonnegative().optional(),
        numFloatSamples: z.number().int().nonnegative().optional(),
        numHistogramSamples: z.number().int().nonnegative().optional(),
      })
      .passthrough()
      .default({}),
    compaction: z
      .object({
        level: z.number().int().positive(),
        sources: z.array(z.string()).optional(),
        parents: z
          .array(z.object({ ulid: z.string(), minTime: z.number(), maxTime: z.number() }))
          .optional(),
        failed: z.boolean().optional(),
        deletable: z.boolean().optional(),
      })
      .passthrough(),
    version: z.literal(1),
    thanos: z
      .object({
        version: z.number().int().optional(),
        labels: z
          .record(z.string())
          .nullish()
          .transform((l) => l ?? {}),
        downsample: z
          .object({ resolution: z.number().int().nonnegative() })
          .default({ resolution: 0 }),
        source: z.string().default(''),
        segment_files: z.array(z.string()).optional(),
        files: z.array(fileSchema).optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** A parsed `meta.json`. */
export type BlockMeta = z.infer<typeof blockMetaSchema>;

/** Parses and validates `meta.json` bytes; a block with a broken meta is reported as corrupt. */
export function parseBlockMeta(bytes: Uint8Array | string): BlockMeta {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CorruptBlockError(`meta.json: not JSON: ${(e as Error).message}`);
  }
  const parsed = blockMetaSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptBlockError(`meta.json: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  if (parsed.data.maxTime < parsed.data.minTime)
    throw new CorruptBlockError(
      `meta.json: maxTime ${parsed.data.maxTime} before minTime ${parsed.data.minTime}`,
    );
  return parsed.data;
}

/** Renders meta.json as Thanos does: tab-indented JSON with a trailing newline. */
export function formatBlockMeta(meta: BlockMeta): string {
  return `${JSON.stringify(meta, null, '\t')}\n`;
}
