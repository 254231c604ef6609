import { type Bucket } from '@strata/objstore';
import { type BlockFiles } from '@strata/tsdb';

/**
 * {@link BlockFiles} of one block in a bucket: every read is a ranged GET of `<dir>/<file>`, cut
 * at the end of the object as an HTTP Range is. Sizes are asked once per file (objects never change).
 */
export class BucketBlockFiles implements BlockFiles {
  private readonly sizes = new Map<string, Promise<number>>();

  constructor(
    private readonly bucket: Bucket,
    /** The block's directory, `<tenant>/<ulid>`. */
    readonly dir: string,
  ) {}

  async readRange(file: string, offset: number, length: number): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    const stream = await this.bucket.getRange(`${this.dir}/${file}`, offset, length);
    const parts: Buffer[] = [];
    let got = 0;
    try {
      for await (const chunk of stream) {
        const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        parts.push(b);
        got += b.length;
      }
    } finally {
      stream.destroy();
    }
    const all = parts.length === 1 ? parts[0] : Buffer.concat(parts, got);
    // A store that ignores the range end must not hand the reader more than it asked for.
    return all.length > length ? all.subarray(0, length) : all;
  }

  size(file: string): Promise<number> {
    let s = this.sizes.get(file);
    if (!s) {
      s = this.bucket.attributes(`${this.dir}/${file}`).then((a) => a.size);
      this.sizes.set(file, s);
      s.catch(() => this.sizes.delete(file));
    }
    return s;
  }

  close(): Promise<void> {
    this.sizes.clear();
    return Promise.resolve();
  }
}
