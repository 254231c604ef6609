import {
  mapPipelineSecrets,
  pipelineSecretsOf,
  SECRET_MASK,
  StrataError,
  type PipelineSpec,
} from '@strata/contracts';
import { SecretKeyring } from '@strata/service-kit';

/**
 * The spec as the control plane stores it: every credential sealed for the tenant with the
 * keyring, so the event log never holds one in clear. A credential equal to the one stored at
 * its path keeps the stored sealed value (an unchanged write appends nothing); the mask is left
 * for the decider to replace with the stored value, and a stored value from a build before sealing
 * is sealed on that write. Without a keyring, a spec with a credential is refused (`unavailable`).
 */
export function sealPipelineSecrets<T extends PipelineSpec>(
  next: T,
  previous: PipelineSpec | null,
  keyring: SecretKeyring | null,
  tenantId: string,
): T {
  const stored = previous ? pipelineSecretsOf(previous) : new Map<string, string>();
  return mapPipelineSecrets(next, (value, path) => {
    const before = stored.get(path);
    const plain = value === SECRET_MASK ? before : value;
    // The mask where nothing is stored is the decider's to refuse, with its path.
    if (plain === undefined || SecretKeyring.isSealed(plain)) return value;
    if (!keyring)
      throw new StrataError(
        'unavailable',
        `log pipeline ${JSON.stringify(next.name)} has a credential at ${path}, and the control plane has no STRATA_SECRET_KEY to seal it with`,
      );
    if (before !== undefined && keyring.holds(before, plain, tenantId)) return before;
    return keyring.seal(plain, tenantId);
  });
}
