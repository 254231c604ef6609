/** The bucket key of a file of a tenant's block: `<tenant>/<ulid>/<file>`. */
export function blockKey(tenant: string, ulid: string, file: string): string {
  return `${tenant}/${ulid}/${file}`;
}

/** A block's ULID: 26 Crockford base-32 characters. */
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The meta file whose presence makes a block visible; uploaded last. */
export const META_FILE = 'meta.json';
