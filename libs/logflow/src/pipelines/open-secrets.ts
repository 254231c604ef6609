import { mapPipelineSecrets, type PipelineSpec } from '@strata/contracts';
import { SecretKeyring } from '@strata/service-kit';

/**
 * The spec with its sealed credentials opened for the tenant, for the sinks to authenticate with;
 * logflow is the only reader that opens them. A value stored before sealing existed is used as it
 * is. Throws when a credential is sealed and this process has no key that opens it.
 */
export function openPipelineSecrets<T extends PipelineSpec>(
  spec: T,
  keyring: SecretKeyring | null,
  tenantId: string,
): T {
  return mapPipelineSecrets(spec, (value, path) => {
    if (!SecretKeyring.isSealed(value)) return value;
    if (!keyring)
      throw new Error(`the credential at ${path} is sealed, and logflow has no STRATA_SECRET_KEY`);
    return keyring.open(value, tenantId);
  });
}
