import { StrataError } from '@strata/contracts';

/** A secret presented in `Authorization`, with the Basic user name when there was one. */
export interface PresentedCredentials {
  scheme: 'bearer' | 'basic';
  user: string | null;
  secret: string;
}

/**
 * Parses `Authorization: Bearer <secret>` or `Basic base64(user:secret)`; null when absent.
 * Basic exists because Prometheus, Grafana and most shippers only speak it; Elasticsearch's
 * `ApiKey base64(id:key)` is read like Basic, for Filebeat and the ES clients.
 */
export function parseAuthorization(header: string | undefined): PresentedCredentials | null {
  if (header === undefined || header.trim() === '') return null;
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match) throw unauthorized('malformed Authorization header');
  const [, scheme, value] = match;
  switch (scheme.toLowerCase()) {
    case 'bearer':
      return { scheme: 'bearer', user: null, secret: value };
    case 'basic': {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0 || colon === decoded.length - 1)
        throw unauthorized('Basic credentials need user:secret');
      return { scheme: 'basic', user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
    }
    case 'apikey': {
      // Elasticsearch's scheme (Filebeat, the ES clients): base64(id:key); the key is the secret.
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0 || colon === decoded.length - 1)
        throw unauthorized('ApiKey credentials need base64(id:key)');
      return { scheme: 'basic', user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
    }
    default:
      throw unauthorized(`unsupported authorization scheme ${scheme}`);
  }
}

/** The 401 every authentication failure becomes. */
export function unauthorized(message: string): StrataError {
  return new StrataError('unauthorized', message);
}

/** The challenge sent with every 401. */
export const WWW_AUTHENTICATE = 'Bearer realm="strata", Basic realm="strata", charset="UTF-8"';
