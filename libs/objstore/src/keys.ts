import { InvalidObjectKeyError } from './errors';

/** S3's limit on a key's UTF-8 length; the filesystem bucket keeps it too, so keys move between them. */
export const MAX_KEY_BYTES = 1024;

/** Separator of key segments, as S3 delimiters and filesystem paths use it. */
export const DIR_DELIMITER = '/';

function why(key: string, allowTrailingSlash: boolean): string | null {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  if (key.includes('\0')) return 'contains a NUL character';
  if (key.includes('\\')) return 'contains a backslash';
  if (key.startsWith('/')) return 'is absolute';
  const segments = key.split('/');
  if (allowTrailingSlash && segments.length > 1 && segments[segments.length - 1] === '')
    segments.pop();
  for (const segment of segments) {
    if (segment === '') return 'has an empty segment';
    if (segment === '.' || segment === '..') return `has a ${segment} segment`;
  }
  return null;
}

/** Throws `InvalidObjectKeyError` unless `key` is a relative, normalised object key. */
export function assertValidKey(key: string): void {
  const problem = key === '' ? 'is empty' : why(key, false);
  if (problem) throw new InvalidObjectKeyError(key, problem);
}

/** The listing prefix of a directory: `''` for the root, else `dir` with exactly one trailing `/`. */
export function directoryPrefix(dir: string): string {
  if (dir === '') return '';
  const problem = why(dir, true);
  if (problem) throw new InvalidObjectKeyError(dir, problem);
  return dir.endsWith(DIR_DELIMITER) ? dir : dir + DIR_DELIMITER;
}

/** Orders keys byte-wise by their UTF-8 encoding, as S3 lists them. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
