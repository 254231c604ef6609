import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';
import { type BlockRange } from './cut-planner';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The ULID of the block a partition cuts for a tenant and range: its time part is the range's
 * end, its random part a hash of (partition, tenant, range). Any owner of the partition, before or
 * after a crash, names the same data the same, so a re-cut lands on the block already uploaded
 * instead of becoming a second copy of it.
 */
export function blockUlid(partition: number, tenant: string, range: BlockRange): string {
  const digest = createHash('sha256')
    .update(`strata-ingester\0${partition}\0${tenant}\0${range.mint}\0${range.maxt}`)
    .digest();
  let random = '';
  // 16 base32 characters: 80 bits from the first 10 bytes.
  let bits = 0;
  let acc = 0;
  for (let i = 0; random.length < 16;) {
    if (bits < 5) {
      acc = ((acc << 8) | digest[i++]) & 0xffff;
      bits += 8;
    }
    random += CROCKFORD[(acc >> (bits - 5)) & 31];
    bits -= 5;
  }
  return encodeTime(Math.max(0, range.maxt), 10) + random;
}
