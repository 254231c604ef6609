import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;
const SECRET_PATTERN = /^strata_([0-9a-f]{20})_([A-Za-z0-9_-]{43})$/;

/** A new key id and its secret; the secret embeds the id so authentication looks up one key. */
export function generateApiKey(): { keyId: string; secret: string } {
  const id = randomBytes(10).toString('hex');
  return { keyId: `key_${id}`, secret: `strata_${id}_${randomBytes(32).toString('base64url')}` };
}

/** The key id a presented secret claims, or null when it is not shaped like one of ours. */
export function keyIdOfSecret(secret: string): string | null {
  const m = SECRET_PATTERN.exec(secret);
  return m ? `key_${m[1]}` : null;
}

function derive(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url), so parameters can be raised later without breaking old keys. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt);
  return [
    'scrypt',
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

/** Checks a secret against a stored hash in constant time. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(
      secret,
      Buffer.from(salt, 'base64url'),
      expected.length,
      { N: Number(n), r: Number(r), p: Number(p) },
      (err, k) => (err ? reject(err) : resolve(k)),
    ),
  );
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A fast fingerprint of a verified secret, so repeated requests skip scrypt (never stored). */
export function secretFingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
