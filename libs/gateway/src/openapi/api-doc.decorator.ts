import { applyDecorators } from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiResponse,
} from '@nestjs/swagger';
import { ApiSchemas } from './api-schemas';
import { type JsonSchema } from './zod-json-schema';

/** How one admin route is described in the OpenAPI document. */
export interface RouteDoc {
  summary: string;
  /** Who may call it, appended to the description. */
  access: string;
  body?: JsonSchema;
  response?: JsonSchema;
  status?: number;
  /** Accepts `If-Match: "<version>"` for optimistic concurrency. */
  ifMatch?: boolean;
}

/** Documents an authenticated route with its body, success response and error responses. */
export function RouteDoc(doc: RouteDoc): MethodDecorator {
  const errors = [400, 401, 403, 404, 409, 413, 503].map((status) =>
    ApiResponse({ status, schema: ApiSchemas.error }),
  );
  return applyDecorators(
    ApiOperation({ summary: doc.summary, description: `Access: ${doc.access}.` }),
    ApiBearerAuth(),
    ApiBasicAuth(),
    ...(doc.body
      ? [
          ApiBody({
            schema: doc.body,
            required: Array.isArray(doc.body.required) && doc.body.required.length > 0,
          }),
        ]
      : []),
    ...(doc.ifMatch
      ? [
          ApiHeader({
            name: 'If-Match',
            required: false,
            description: 'expected stream version; stale → 409 version_conflict',
          }),
        ]
      : []),
    ApiResponse({ status: doc.status ?? 200, schema: doc.response, description: 'success' }),
    ...errors,
  );
}
