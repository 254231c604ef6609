import { Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { StrataError } from '@strata/contracts';
import { type Observable, throwError } from 'rxjs';

/**
 * The one place that decides what a bus handler's failure becomes on the wire: a `StrataError`
 * keeps its code, message, fields and reason; an `RpcException` with a string is a bad request;
 * anything else is logged in full here and answered as `internal` without detail.
 */
@Catch()
export class BusExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('BusExceptionFilter');

  catch(exception: unknown): Observable<never> {
    return throwError(() => toStrataError(exception, this.log));
  }
}

function toStrataError(exception: unknown, log: Logger): StrataError {
  if (exception instanceof StrataError) return exception;
  if (exception instanceof RpcException) {
    const error = exception.getError();
    if (typeof error === 'string') return new StrataError('bad_request', error);
  }
  log.error(
    exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
  );
  return new StrataError('internal', 'internal error');
}
