import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type HeadOptions } from '@strata/tsdb';
import { writeFileDurably } from '../durable-file';
import { type HeadSnapshot, decodeHeadSnapshot } from './head-snapshot';

/**
 * Head snapshots on local disk, one file per partition under `<dataDir>/ingester/`. A write goes
 * to a temporary file that is fsynced and renamed over the old one, so a crash leaves either
 * the previous snapshot or the new one, never a torn file.
 */
export class SnapshotStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'ingester');
  }

  private file(partition: number): string {
    return join(this.dir, `partition-${partition}.snapshot`);
  }

  /** Durably replaces the partition's snapshot with `bytes`. */
  async write(partition: number, bytes: Uint8Array): Promise<void> {
    await writeFileDurably(this.file(partition), bytes);
  }

  /** The partition's last snapshot, or null when there is none. A corrupt file throws. */
  async read(partition: number, options: HeadOptions): Promise<HeadSnapshot | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.file(partition));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return decodeHeadSnapshot(bytes, options);
  }

  /** Removes a partition's snapshot (tests, and a corrupt file set aside). */
  async remove(partition: number): Promise<void> {
    await unlink(this.file(partition)).catch(() => undefined);
  }
}
