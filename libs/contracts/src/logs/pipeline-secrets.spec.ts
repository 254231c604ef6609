import { SECRET_MASK } from '../control/secrets';
import { keepPipelineSecrets, maskPipelineSecrets } from './pipeline-secrets';
import { PipelineSpec } from './pipeline-spec';

const spec = (secret: string, auth: string) =>
  PipelineSpec.parse({
    name: 'p',
    transforms: {},
    sinks: {
      bucket: {
        type: 's3',
        inputs: ['source'],
        bucket: 'logs',
        access_key_id: 'AKID',
        secret_access_key: secret,
      },
      hook: {
        type: 'http',
        inputs: ['source'],
        url: 'http://127.0.0.1:1/x',
        headers: { Authorization: auth, 'X-Team': 'a' },
      },
    },
  });

describe('pipeline secrets', () => {
  it('masks S3 keys and authorization headers, leaving the stored spec and other options alone', () => {
    const stored = spec('s3cr3t', 'Bearer t0k3n');
    const shown = maskPipelineSecrets(stored);
    expect(shown.sinks.bucket).toMatchObject({
      access_key_id: SECRET_MASK,
      secret_access_key: SECRET_MASK,
      bucket: 'logs',
    });
    expect(shown.sinks.hook).toMatchObject({
      headers: { Authorization: SECRET_MASK, 'X-Team': 'a' },
    });
    expect(JSON.stringify(shown)).not.toMatch(/s3cr3t|t0k3n|AKID/);
    expect(stored.sinks.bucket).toMatchObject({ secret_access_key: 's3cr3t' });
  });

  it('takes the stored value for a mask written back, a new value as given, and names masks with nothing stored', () => {
    const stored = spec('s3cr3t', 'Bearer t0k3n');
    const kept = keepPipelineSecrets(maskPipelineSecrets(stored), stored);
    expect(kept).toEqual({ spec: stored, missing: [] });
    const changed = keepPipelineSecrets(spec('n3w', SECRET_MASK), stored);
    expect(changed.spec.sinks.bucket).toMatchObject({ secret_access_key: 'n3w' });
    expect(changed.spec.sinks.hook).toMatchObject({ headers: { Authorization: 'Bearer t0k3n' } });
    expect(keepPipelineSecrets(maskPipelineSecrets(stored), null).missing).toEqual([
      { path: 'sinks.bucket.access_key_id' },
      { path: 'sinks.bucket.secret_access_key' },
      { path: 'sinks.hook.headers.Authorization' },
    ]);
  });
});
