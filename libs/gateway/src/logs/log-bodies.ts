import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { StrataError } from '@strata/contracts';
import { decodeContentEncoding, decodeUtf8, LogInputError } from '@strata/log-sources';

/** Routes of the log sources; their bodies reach handlers as raw bytes whatever their media type. */
export const LOG_SOURCE_PATHS = [
  '/loki/api/v1/push',
  '/v1/logs',
  '/_bulk',
  '/:index/_bulk',
  '/api/v1/logs',
] as const;

// Stands in for the client's media type while Fastify parses: one parser yields bytes for every
// type the shippers send (JSON, NDJSON, protobuf, Elasticsearch's vendor types).
const RAW_LOG_TYPE = 'application/x-strata-log-body';
const ORIGINAL_TYPE = Symbol('strata.logContentType');

/**
 * Gives the log routes their own body limit and raw-byte bodies, keeping each request's own
 * Content-Type for the handler (`logContentType`). Call before the routes are registered.
 */
export function acceptLogBodies(fastify: FastifyInstance, maxBodyBytes: number): void {
  const paths = new Set<string>(LOG_SOURCE_PATHS);
  fastify.addContentTypeParser(RAW_LOG_TYPE, { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  fastify.addHook('onRoute', (route) => {
    if (!paths.has(route.url) || route.method !== 'POST') return;
    route.bodyLimit = maxBodyBytes;
    const own = route.onRequest;
    const swap = async (request: FastifyRequest) => {
      (request as unknown as Record<symbol, string>)[ORIGINAL_TYPE] =
        request.headers['content-type'] ?? '';
      request.headers['content-type'] = RAW_LOG_TYPE;
    };
    route.onRequest = own === undefined ? [swap] : [swap, ...(Array.isArray(own) ? own : [own])];
  });
}

/** The media type the client sent, lower-cased without parameters. */
export function logContentType(request: FastifyRequest): string {
  const raw = (request as unknown as Record<symbol, string | undefined>)[ORIGINAL_TYPE] ?? '';
  return raw.split(';')[0].trim().toLowerCase();
}

/** The request body as bytes, Content-Encoding undone, or a LogInputError. */
export function logBodyBytes(request: FastifyRequest, maxBytes: number): Buffer {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const encoding = request.headers['content-encoding'];
  return decodeContentEncoding(body, Array.isArray(encoding) ? encoding[0] : encoding, maxBytes);
}

/** The request body as UTF-8 text (refusing invalid UTF-8), Content-Encoding undone. */
export function logBodyText(request: FastifyRequest, maxBytes: number): string {
  return decodeUtf8(logBodyBytes(request, maxBytes), 'body');
}

/** A LogInputError as the gateway's 400 (or 413/415), for routes whose protocol has no error shape of its own. */
export function logInputAsStrataError(error: unknown): unknown {
  if (!(error instanceof LogInputError)) return error;
  const code =
    error.reason === 'decoded_too_large'
      ? 'payload_too_large'
      : error.reason === 'unsupported_encoding'
        ? 'unsupported_media_type'
        : 'bad_request';
  return new StrataError(code, error.message, undefined, { reason: error.reason, cause: error });
}
