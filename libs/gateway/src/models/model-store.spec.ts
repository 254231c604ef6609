import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type BlobDigest } from '@strata/contracts';
import { LocalTenantLock } from '@strata/model-artifacts';
import { FilesystemBucket } from '@strata/objstore';
import { ModelStore } from './model-store';

const digestOf = (bytes: Buffer): BlobDigest =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('ModelStore on a filesystem bucket', () => {
  let dir: string;
  let store: ModelStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-model-store-'));
    store = new ModelStore(new FilesystemBucket(dir), {
      lock: new LocalTenantLock(),
      collect: async () => ({ deletedBlobs: 0, freedBytes: 0 }),
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('offers no direct upload, so large blobs keep streaming through the gateway and are stored verified', async () => {
    const bytes = randomBytes(6 << 20);
    expect(await store.directUpload('acme', digestOf(bytes), bytes.length, 0, 60)).toBeNull();
    expect(
      await store.writeBlob('acme', digestOf(bytes), Readable.from([bytes]), bytes.length, 0),
    ).toEqual({ size: bytes.length, created: true });
    await expect(
      store.completeDirectUpload('acme', digestOf(bytes), 'made-up', 0),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
