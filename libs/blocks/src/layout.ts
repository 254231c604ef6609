/** File name of a block's meta; uploaded last, so a block without it is not there yet. */
export const META_FILE = 'meta.json';

/** File name of Thanos' deletion marker: the block is going away and is no longer read. */
export const DELETION_MARK_FILE = 'deletion-mark.json';

/** File name of Thanos' no-compact marker. */
export const NO_COMPACT_MARK_FILE = 'no-compact-mark.json';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `name` is a ULID as blocks are named (Crockford base32, 26 characters). */
export function isBlockUlid(name: string): boolean {
  return ULID.test(name);
}

/** The directory of a tenant's block in the bucket: `<tenant>/<ulid>`. */
export function blockDir(tenant: string, ulid: string): string {
  return `${tenant}/${ulid}`;
}

/** The key of a file of a block: `<tenant>/<ulid>/<file>`. */
export function blockKey(tenant: string, ulid: string, file: string): string {
  return `${tenant}/${ulid}/${file}`;
}
