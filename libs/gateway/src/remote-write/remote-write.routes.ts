import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type ErrorBody, HTTP_STATUS_OF, StrataError } from '@strata/contracts';
import { type RemoteWriteForwarder, writtenHeaders } from './remote-write.forwarder';

/** Paths that accept remote write: Prometheus' own, Thanos receive's and Mimir's. */
export const REMOTE_WRITE_PATHS = ['/api/v1/write', '/api/v1/receive', '/api/v1/push'] as const;

/** Thanos receive's tenant header, accepted when the configured one is absent. */
export const THANOS_TENANT_HEADER = 'THANOS-TENANT';

/**
 * Decides the tenant a write acts for, or throws: `unauthorized` without valid credentials,
 * `forbidden` for a key of another tenant or without the `write` scope, `tenant_unknown` /
 * `tenant_suspended`. The gateway implements it with its authenticator and tenant admission.
 */
export type WriteAdmission = (
  request: FastifyRequest,
  namedTenant: string | undefined,
) => Promise<string>;

/** What the remote write routes need from the gateway. */
export interface RemoteWriteRoutesOptions {
  forwarder: RemoteWriteForwarder;
  admit: WriteAdmission;
  /** Header naming the tenant (`STRATA_TENANT_HEADER`, `X-Scope-OrgID` by default). */
  tenantHeader: string;
  /** Largest body read (`STRATA_MAX_BODY_BYTES`); larger ones get 413 before they are buffered. */
  maxBodyBytes: number;
}

/**
 * Mounts the remote write endpoints as an encapsulated Fastify plugin, so its raw-body parser
 * (protobuf bodies are read as bytes, whatever their content type) applies to these routes only.
 * Success is 204 with the written counts; errors carry the platform's ErrorBody, and 429 a
 * `Retry-After` in seconds.
 */
export async function registerRemoteWriteRoutes(
  fastify: FastifyInstance,
  options: RemoteWriteRoutesOptions,
): Promise<void> {
  await fastify.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: options.maxBodyBytes },
      (_req, body, next) => next(null, body),
    );
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      try {
        const named =
          headerOf(request, options.tenantHeader) ?? headerOf(request, THANOS_TENANT_HEADER);
        const tenantId = await options.admit(request, named);
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const written = await options.forwarder.forward(
          tenantId,
          {
            contentType: headerOf(request, 'content-type'),
            contentEncoding: headerOf(request, 'content-encoding'),
            protocolVersion: headerOf(request, 'x-prometheus-remote-write-version'),
          },
          body,
        );
        await reply.code(204).headers(writtenHeaders(written)).send();
      } catch (error) {
        await sendError(reply, error);
      }
    };
    for (const path of REMOTE_WRITE_PATHS) scope.post(path, handler);
    scope.setErrorHandler(async (error, _request, reply) => sendError(reply, error));
    done();
  });
}

async function sendError(reply: FastifyReply, error: unknown): Promise<void> {
  const { status, body } = errorReply(error);
  if (body.retryAfterSeconds !== undefined)
    void reply.header('Retry-After', String(body.retryAfterSeconds));
  await reply.code(status).type('application/json').send(body);
}

/** Status and body of a failed write; anything unexpected is a retryable 500 without detail. */
export function errorReply(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof StrataError)
    return { status: HTTP_STATUS_OF[error.code], body: error.toBody() };
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { status: 413, body: { code: 'payload_too_large', message: 'request body too large' } };
  return {
    status: 500,
    body: { code: 'internal', message: 'internal error; the write may be retried' },
  };
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name.toLowerCase()];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}
