import { HttpException } from '@nestjs/common';
import { type ErrorBody, type ErrorCode, HTTP_STATUS_OF, StrataError } from '@strata/contracts';

/** An error as the edge answers it. */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
}

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  409: 'version_conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
  504: 'timeout',
};

/** Fastify's own errors that reach the edge before any route handler runs. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation_failed',
};

/** Maps anything thrown at the edge to a status and an ErrorBody; unknown errors become `internal`. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof StrataError)
    return { status: HTTP_STATUS_OF[error.code], body: error.toBody() };
  const fastifyCode = fastifyCodeOf(error);
  if (fastifyCode !== undefined) {
    const code = FASTIFY_CODES[fastifyCode];
    const message = (error as Error).message;
    if (code === 'validation_failed') {
      return {
        status: 400,
        body: {
          code,
          message: `malformed JSON body: ${message}`,
          fields: [{ path: '(root)', message }],
        },
      };
    }
    return { status: HTTP_STATUS_OF[code], body: { code, message } };
  }
  if (error instanceof SyntaxError && 'body' in error) {
    return {
      status: 400,
      body: {
        code: 'validation_failed',
        message: 'malformed JSON body',
        fields: [{ path: '(root)', message: error.message }],
      },
    };
  }
  const status = httpStatusOf(error);
  if (status !== undefined && status < 500) {
    const code = CODE_OF_STATUS[status] ?? 'bad_request';
    return { status: HTTP_STATUS_OF[code], body: { code, message: (error as Error).message } };
  }
  return {
    status: 500,
    body: { code: 'internal', message: 'internal error; the request may be retried' },
  };
}

function fastifyCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code in FASTIFY_CODES ? code : undefined;
}

function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
