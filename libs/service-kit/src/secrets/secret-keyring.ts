import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type PlatformEnv } from '@strata/contracts';

/** How every sealed value starts; anything else is a value stored before sealing existed. */
export const SEALED_PREFIX = 'strata-sealed:v1:';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAC_BYTES = 16;

/** A sealed value cannot be opened: unknown key, another tenant's value, or altered. */
export class SecretOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretOpenError';
  }
}

interface Key {
  id: string;
  kek: Buffer;
  mac: Buffer;
}

const b64 = (b: Buffer) => b.toString('base64url');

function gcmSeal(key: Buffer, plain: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function gcmOpen(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([
    decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

/**
 * The platform's secret keys (`STRATA_SECRET_KEY` / `STRATA_SECRET_KEY_FILE`): the first seals,
 * every one opens what it sealed. Envelope encryption: each value gets its own random data key
 * (AES-256-GCM), and the data key is stored beside it wrapped by the key-encryption key (AES-256-GCM
 * again); both are bound to a context (the tenant), so a value copied to another tenant does not
 * open. A keyed fingerprint of context and value lets a writer see that a credential written
 * again is the one stored without opening anything.
 */
export class SecretKeyring {
  private readonly keys: Key[];

  /** Keys as 32 random bytes each; the first seals. */
  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error('a keyring needs a key');
    this.keys = keys.map((kek) => {
      if (kek.length !== KEY_BYTES) throw new Error(`a secret key is ${KEY_BYTES} bytes`);
      return {
        // Derived, so rotating needs no naming: the id only says which key sealed a value.
        id: createHash('sha256').update(kek).digest('hex').slice(0, 8),
        kek,
        mac: Buffer.from(hkdfSync('sha256', kek, '', 'strata secret fingerprint', KEY_BYTES)),
      };
    });
  }

  /**
   * A keyring from text: keys in base64 (32 bytes each), one a line or comma-separated, the one
   * that seals first; blank lines and `#` comments are skipped.
   */
  static parse(text: string): SecretKeyring {
    const keys = text
      .split(/[\n,]/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0 && !l.startsWith('#'))
      .map((l) => Buffer.from(l, 'base64'));
    return new SecretKeyring(keys);
  }

  /** A new key in the form `parse` reads. */
  static generateKey(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }

  /** The id of the key that seals. */
  get sealingKeyId(): string {
    return this.keys[0].id;
  }

  /** True when `value` is a sealed value (of any key). */
  static isSealed(value: string): boolean {
    return value.startsWith(SEALED_PREFIX);
  }

  /** Seals `plain` for `context`: `strata-sealed:v1:<key id>:<wrapped data key>:<value>:<fingerprint>`. */
  seal(plain: string, context: string): string {
    const key = this.keys[0];
    const dek = randomBytes(KEY_BYTES);
    const wrapped = gcmSeal(key.kek, dek, `strata-dek\0${context}`);
    const body = gcmSeal(dek, Buffer.from(plain, 'utf8'), context);
    return `${SEALED_PREFIX}${key.id}:${b64(wrapped)}:${b64(body)}:${b64(this.fingerprint(key, plain, context))}`;
  }

  /** The value `sealed` holds; throws {@link SecretOpenError} when no key here sealed it for `context`. */
  open(sealed: string, context: string): string {
    const parts = sealed.slice(SEALED_PREFIX.length).split(':');
    if (!SecretKeyring.isSealed(sealed) || parts.length !== 4)
      throw new SecretOpenError('not a sealed value');
    const key = this.keys.find((k) => k.id === parts[0]);
    if (!key) throw new SecretOpenError(`sealed with key ${parts[0]}, which this keyring lacks`);
    try {
      const dek = gcmOpen(key.kek, Buffer.from(parts[1], 'base64url'), `strata-dek\0${context}`);
      return gcmOpen(dek, Buffer.from(parts[2], 'base64url'), context).toString('utf8');
    } catch {
      throw new SecretOpenError(`the value sealed with key ${key.id} does not open here`);
    }
  }

  /** True when `sealed` holds `plain` for `context` (its fingerprint matches), without opening it. */
  holds(sealed: string, plain: string, context: string): boolean {
    const parts = sealed.slice(SEALED_PREFIX.length).split(':');
    const key = this.keys.find((k) => k.id === parts[0]);
    if (!SecretKeyring.isSealed(sealed) || parts.length !== 4 || !key) return false;
    const stored = Buffer.from(parts[3], 'base64url');
    const expected = this.fingerprint(key, plain, context);
    return stored.length === expected.length && timingSafeEqual(stored, expected);
  }

  private fingerprint(key: Key, plain: string, context: string): Buffer {
    return createHmac('sha256', key.mac)
      .update(`${context}\0${plain}`)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}

/**
 * What a stored credential holds for `context`: a value stored before sealing existed as it is,
 * a sealed one opened by `keyring`; `noKey` makes the error when it is sealed and there is no key.
 */
export function openStoredSecret(
  keyring: SecretKeyring | null,
  value: string,
  context: string,
  noKey: () => Error,
): string {
  if (!SecretKeyring.isSealed(value)) return value;
  if (!keyring) throw noKey();
  return keyring.open(value, context);
}

/**
 * The keyring configured for this process: `STRATA_SECRET_KEY`, else the file at
 * `STRATA_SECRET_KEY_FILE`, else none (credentials can then be neither stored nor used).
 */
export function secretKeyringFrom(
  env: Pick<PlatformEnv, 'STRATA_SECRET_KEY' | 'STRATA_SECRET_KEY_FILE'>,
): SecretKeyring | null {
  if (env.STRATA_SECRET_KEY) return SecretKeyring.parse(env.STRATA_SECRET_KEY);
  if (env.STRATA_SECRET_KEY_FILE)
    return SecretKeyring.parse(readFileSync(env.STRATA_SECRET_KEY_FILE, 'utf8'));
  return null;
}
