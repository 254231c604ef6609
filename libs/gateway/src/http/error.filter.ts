import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type GqlContextType } from '@nestjs/graphql';
import { type FastifyReply } from 'fastify';
import { GraphQLError } from 'graphql';
import { WWW_AUTHENTICATE } from '../auth/credentials';
import { type ErrorResponse, toErrorResponse } from './error-response';

/** The edge's one exception filter: REST gets `{error}` with the code's status, GraphQL gets `extensions.code`. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('gateway');

  catch(exception: unknown, host: ArgumentsHost): GraphQLError | undefined {
    const response = toErrorResponse(exception);
    if (response.status >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (host.getType<GqlContextType>() === 'graphql') {
      return new GraphQLError(response.body.message, {
        extensions: {
          code: response.body.code,
          ...(response.body.fields ? { fields: response.body.fields } : {}),
        },
      });
    }
    sendError(host.switchToHttp().getResponse<FastifyReply>(), response);
    return undefined;
  }
}

/** Writes an ErrorResponse, with the authentication challenge on a 401 and `Retry-After` when known. */
export function sendError(reply: FastifyReply, response: ErrorResponse): void {
  if (response.body.code === 'unauthorized')
    void reply.header('www-authenticate', WWW_AUTHENTICATE);
  if (response.body.retryAfterSeconds !== undefined)
    void reply.header('retry-after', String(response.body.retryAfterSeconds));
  void reply
    .status(response.status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ error: response.body });
}
