import { mapPipelineSecrets, type PipelineSpec } from '@strata/contracts';
import { openStoredSecret, type SecretKeyring } from '@strata/service-kit';

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
  return mapPipelineSecrets(spec, (value, path) =>
    openStoredSecret(
      keyring,
      value,
      tenantId,
      () => new Error(`the credential at ${path} is sealed, and logflow has no STRATA_SECRET_KEY`),
    ),
  );
}
