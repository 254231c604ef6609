import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileDurably } from '../durable-file';

/** What a partition shipped for one tenant. */
export interface ShippedTenant {
  /** Everything of the tenant before this time is in blocks; the head refuses older samples. */
  readonly shippedUntil: number;
  /** The partition's stream sequence when the last block was cut: the messages that block covers. */
  readonly streamSeq: number;
  /** The last block uploaded. */
  readonly lastBlock?: string;
}

const recordSchema = z.object({
  version: z.literal(1),
  partition: z.number().int().nonnegative(),
  tenants: z.record(
    z.object({
      shippedUntil: z.number(),
      streamSeq: z.number().int().nonnegative(),
      lastBlock: z.string().optional(),
    }),
  ),
});

/**
 * A partition's shipped record, as Thanos' `thanos.shipper.json`: per tenant, up to which time its
 * data is in the bucket and which stream sequence the last upload covered. Kept beside the head
 * snapshots (`<dataDir>/ingester/partition-<p>.shipped.json`), replaced atomically (fsynced
 * temporary file, rename) after each upload and before the head drops the shipped range.
 */
export class ShippedStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'ingester');
  }

  private file(partition: number): string {
    return join(this.dir, `partition-${partition}.shipped.json`);
  }

  /** The partition's record (empty when none was written); an unreadable one counts as empty, since uploads are idempotent. */
  async read(partition: number): Promise<Map<string, ShippedTenant>> {
    let text: string;
    try {
      text = await readFile(this.file(partition), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return new Map();
    }
    const parsed = recordSchema.safeParse(json);
    return parsed.success ? new Map(Object.entries(parsed.data.tenants)) : new Map();
  }

  /** Durably replaces the partition's record. */
  async write(partition: number, tenants: ReadonlyMap<string, ShippedTenant>): Promise<void> {
    const body = JSON.stringify(
      { version: 1, partition, tenants: Object.fromEntries(tenants) },
      null,
      1,
    );
    await writeFileDurably(this.file(partition), body);
  }
}
