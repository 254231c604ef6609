import { checkContentEncoding, parseContentType } from './content-type';
import { fastDecodeV1 } from './fast-decode-v1';
import { fastDecodeV2 } from './fast-decode-v2';
import { decompressBlock } from './snappy';
import { type DecodedBatch } from './decoded-series';
import { type LabelInjection, NO_INJECTION } from './label-block-builder';
import { type ProtocolVersion } from './types';
import { type ValidationOptions, resolveValidation } from './validate';

/** HTTP headers relevant to decoding a remote write request. */
export interface RemoteWriteHeaders {
  readonly contentType?: string | null;
  readonly contentEncoding?: string | null;
}

/** A decoded request and the protocol it arrived in. */
export interface DecodedWrite {
  readonly version: ProtocolVersion;
  readonly batch: DecodedBatch;
}

/**
 * Decodes a snappy-compressed remote write body in the given protocol and validates it; the
 * result is either a complete batch or a thrown {@link RemoteWriteError}, never a partial batch.
 * `injection` adds labels (the tenant's) to every series' label block.
 */
export function decodeWriteRequest(
  body: Uint8Array,
  version: ProtocolVersion,
  opts: ValidationOptions = {},
  injection: LabelInjection = NO_INJECTION,
): DecodedBatch {
  const o = resolveValidation(opts);
  const raw = decompressBlock(body, o.maxDecompressedBytes);
  switch (version) {
    case 'v1':
      return fastDecodeV1(raw, o, injection);
    case 'v2':
      return fastDecodeV2(raw, o, injection);
  }
}

/** Negotiates the protocol from headers (415-style errors) and then decodes the body. */
export function decodeHttpWrite(
  body: Uint8Array,
  headers: RemoteWriteHeaders,
  opts: ValidationOptions,
  injection: LabelInjection,
): DecodedWrite {
  const version = parseContentType(headers.contentType);
  checkContentEncoding(headers.contentEncoding, version);
  return { version, batch: decodeWriteRequest(body, version, opts, injection) };
}
