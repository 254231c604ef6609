import { UnsupportedMediaTypeError } from './errors';
import { type ProtocolVersion } from './types';

/**
 * Picks the protocol from a Content-Type header. A bare `application/x-protobuf` (or a missing
 * header, as very old senders do) means 1.0; anything else is refused with 415.
 */
export function parseContentType(header: string | undefined | null): ProtocolVersion {
  if (header === undefined || header === null || header.trim() === '') return 'v1';
  const [mediaRaw, ...params] = header.split(';');
  const media = mediaRaw.trim().toLowerCase();
  if (media !== 'application/x-protobuf') {
    throw new UnsupportedMediaTypeError(
      'unsupported_media_type',
      `unsupported Content-Type ${JSON.stringify(header)}; expected application/x-protobuf`,
    );
  }
  let proto: string | undefined;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    if (key === 'proto')
      proto = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
  }
  if (proto === undefined || proto === 'prometheus.WriteRequest') return 'v1';
  if (proto === 'io.prometheus.write.v2.Request') return 'v2';
  throw new UnsupportedMediaTypeError(
    'unsupported_media_type',
    `unsupported remote write proto ${JSON.stringify(proto)}; expected prometheus.WriteRequest or io.prometheus.write.v2.Request`,
  );
}

/** Checks Content-Encoding: snappy is required, though 1.0 senders that omit it are assumed to use snappy. */
export function checkContentEncoding(
  header: string | undefined | null,
  version: ProtocolVersion,
): void {
  const enc = (header ?? '').trim().toLowerCase();
  if (enc === 'snappy') return;
  if (enc === '' && version === 'v1') return;
  throw new UnsupportedMediaTypeError(
    'unsupported_content_encoding',
    enc === ''
      ? 'missing Content-Encoding; remote write 2.0 requires snappy'
      : `unsupported Content-Encoding ${JSON.stringify(header)}; only snappy is accepted`,
  );
}
