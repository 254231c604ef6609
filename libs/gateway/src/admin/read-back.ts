import { StrataError } from '@strata/contracts';

const ATTEMPTS = 40;
const PAUSE_MS = 25;

/**
 * Reads a view until it shows at least `version`, so a mutation answers with the state it
 * produced even when the control plane's projections trail its event store by a moment.
 */
export async function readBack<T extends { version: number }>(
  fetch: () => Promise<T>,
  version: number,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const view = await fetch();
      if (view.version >= version || attempt >= ATTEMPTS) return view;
    } catch (error) {
      if (!(error instanceof StrataError && error.code === 'not_found') || attempt >= ATTEMPTS)
        throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
}
