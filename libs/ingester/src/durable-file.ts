import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

let writes = 0;

/**
 * Replaces `file` with `data` so that a crash leaves the old content or the new, never a torn
 * file: a temporary file, fsynced, renamed over it, then the folder fsynced. Each write has its
 * own temporary name, as two writes of one file may overlap (a periodic one and a final one).
 */
export async function writeFileDurably(file: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${++writes}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
