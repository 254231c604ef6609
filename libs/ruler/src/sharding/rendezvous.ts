import { createHash } from 'node:crypto';

/** The member that owns `key` by rendezvous (highest random weight) hashing: adding a member moves only what it wins. */
export function ownerOf(key: string, members: readonly string[]): string | null {
  let best: string | null = null;
  let bestWeight = '';
  for (const m of members) {
    const weight = createHash('sha256').update(m).update('\0').update(key).digest('hex');
    if (best === null || weight > bestWeight) {
      best = m;
      bestWeight = weight;
    }
  }
  return best;
}

/** A short hex name of a string, safe in KV keys and subject tokens. */
export function hashToken(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
