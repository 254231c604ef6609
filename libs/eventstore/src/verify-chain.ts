import { type ChainVerification } from '@strata/contracts';
import { type EventStore } from './event-store';
import { GENESIS_HASH, eventHash } from './hash';

/** Recomputes every hash in position order; the first mismatch is where tampering (or loss) begins. */
export async function verifyChain(store: EventStore, pageSize = 2000): Promise<ChainVerification> {
  let prev = GENESIS_HASH;
  let checked = 0;
  let lastPosition = 0;
  let from = 1;
  for (;;) {
    const page = await store.readAll(from, pageSize);
    if (page.length === 0) break;
    for (const event of page) {
      if (event.prevHash !== prev) {
        const reason =
          lastPosition === 0
            ? 'first event does not link to the genesis hash'
            : `prev_hash does not match the hash of position ${lastPosition} (an event was removed or rewritten)`;
        return {
          ok: false,
          checkedEvents: checked,
          lastPosition,
          brokenAt: event.position,
          reason,
        };
      }
      if (eventHash(event) !== event.hash) {
        return {
          ok: false,
          checkedEvents: checked,
          lastPosition,
          brokenAt: event.position,
          reason: 'stored content does not match its hash (the event was modified)',
        };
      }
      prev = event.hash;
      lastPosition = event.position;
      checked++;
    }
    from = lastPosition + 1;
  }
  return { ok: true, checkedEvents: checked, lastPosition, brokenAt: null, reason: null };
}
