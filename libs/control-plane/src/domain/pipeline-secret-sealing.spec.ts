import { PipelineSpec, SECRET_MASK, StrataError } from '@strata/contracts';
import { SecretKeyring } from '@strata/service-kit';
import { sealPipelineSecrets } from './pipeline-secret-sealing';

const ring = SecretKeyring.parse(SecretKeyring.generateKey());

const spec = (secret: string, auth = 'Bearer t0k3n') =>
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

/** A sink option of a spec, whatever the sink's type. */
const opt = (s: PipelineSpec, sink: string, key: string) =>
  (s.sinks[sink] as Record<string, unknown>)[key] as string;
const header = (s: PipelineSpec, name: string) =>
  ((s.sinks.hook as { headers?: Record<string, string> }).headers ?? {})[name];

describe('sealing pipeline credentials before they are stored', () => {
  it('stores every credential sealed for the tenant and nothing else changed', () => {
    const sealed = sealPipelineSecrets(spec('s3cr3t'), null, ring, 'acme');
    const text = JSON.stringify(sealed);
    for (const plain of ['s3cr3t', 'AKID', 't0k3n']) expect(text).not.toContain(plain);
    expect(ring.open(opt(sealed, 'bucket', 'secret_access_key'), 'acme')).toBe('s3cr3t');
    expect(ring.open(header(sealed, 'Authorization'), 'acme')).toBe('Bearer t0k3n');
    expect(header(sealed, 'X-Team')).toBe('a');
    expect(opt(sealed, 'bucket', 'bucket')).toBe('logs');
  });

  it('keeps the stored sealed value for the same credential or the mask, and seals a changed one', () => {
    const stored = sealPipelineSecrets(spec('s3cr3t'), null, ring, 'acme');
    // The same plaintext again: the stored value, so an unchanged write appends nothing.
    expect(sealPipelineSecrets(spec('s3cr3t'), stored, ring, 'acme')).toEqual(stored);
    // The mask is left for the decider, which puts the stored value back.
    const masked = sealPipelineSecrets(spec(SECRET_MASK, SECRET_MASK), stored, ring, 'acme');
    expect(opt(masked, 'bucket', 'secret_access_key')).toBe(SECRET_MASK);
    const changed = sealPipelineSecrets(spec('n3w'), stored, ring, 'acme');
    expect(opt(changed, 'bucket', 'secret_access_key')).not.toBe(
      opt(stored, 'bucket', 'secret_access_key'),
    );
    expect(ring.open(opt(changed, 'bucket', 'secret_access_key'), 'acme')).toBe('n3w');
  });

  it('seals a credential an older build stored in clear when the mask is written back', () => {
    const legacy = spec('s3cr3t');
    const next = sealPipelineSecrets(spec(SECRET_MASK), legacy, ring, 'acme');
    expect(ring.open(opt(next, 'bucket', 'secret_access_key'), 'acme')).toBe('s3cr3t');
  });

  it('refuses a credential when the control plane has no key, and a spec without one passes', () => {
    expect(() => sealPipelineSecrets(spec('s3cr3t'), null, null, 'acme')).toThrow(StrataError);
    const plain = PipelineSpec.parse({
      name: 'p',
      transforms: {},
      sinks: { out: { type: 'blackhole', inputs: ['source'] } },
    });
    expect(sealPipelineSecrets(plain, null, null, 'acme')).toEqual(plain);
  });
});
