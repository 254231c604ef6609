import { SEALED_PREFIX, SecretKeyring, SecretOpenError } from './secret-keyring';

const oldKey = SecretKeyring.generateKey();
const newKey = SecretKeyring.generateKey();

describe('SecretKeyring: envelope sealing of stored credentials', () => {
  it('seals each value under its own data key, bound to its tenant, and opens it again', () => {
    const ring = SecretKeyring.parse(oldKey);
    const a = ring.seal('s3cr3t', 'acme');
    const b = ring.seal('s3cr3t', 'acme');
    expect(a.startsWith(`${SEALED_PREFIX}${ring.sealingKeyId}:`)).toBe(true);
    expect(a).not.toContain('s3cr3t');
    // Fresh data key and IVs each time: equal secrets do not look equal in the log...
    expect(a.split(':').slice(3, 5)).not.toEqual(b.split(':').slice(3, 5));
    expect(ring.open(a, 'acme')).toBe('s3cr3t');
    // ...but the key holder can tell a credential written again is the stored one.
    expect(ring.holds(a, 's3cr3t', 'acme')).toBe(true);
    expect(ring.holds(a, 'other', 'acme')).toBe(false);
    expect(ring.holds(a, 's3cr3t', 'globex')).toBe(false);
    expect(() => ring.open(a, 'globex')).toThrow(SecretOpenError);
  });

  it('refuses an altered value and one sealed by a key it does not have', () => {
    const ring = SecretKeyring.parse(oldKey);
    const sealed = ring.seal('s3cr3t', 'acme');
    const parts = sealed.split(':');
    const body = Buffer.from(parts[4], 'base64url');
    body[body.length - 20] ^= 1;
    parts[4] = body.toString('base64url');
    expect(() => ring.open(parts.join(':'), 'acme')).toThrow(SecretOpenError);
    expect(() => SecretKeyring.parse(newKey).open(sealed, 'acme')).toThrow(
      /which this keyring lacks/,
    );
  });

  it('rotates: the first key seals, older keys listed after it still open what they sealed', () => {
    const before = SecretKeyring.parse(oldKey).seal('kept', 't');
    const rotated = SecretKeyring.parse(`${newKey},${oldKey}`);
    expect(rotated.open(before, 't')).toBe('kept');
    expect(rotated.holds(before, 'kept', 't')).toBe(true);
    const after = rotated.seal('kept', 't');
    expect(after.split(':')[2]).toBe(SecretKeyring.parse(newKey).sealingKeyId);
    expect(() => SecretKeyring.parse(oldKey).open(after, 't')).toThrow(SecretOpenError);
  });

  it('reads keys one a line with comments, and refuses a key that is not 32 bytes', () => {
    expect(SecretKeyring.parse(`# current\n${newKey}\n\n${oldKey}\n`).sealingKeyId).toBe(
      SecretKeyring.parse(newKey).sealingKeyId,
    );
    expect(() => SecretKeyring.parse('c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => SecretKeyring.parse('')).toThrow(/needs a key/);
  });
});
