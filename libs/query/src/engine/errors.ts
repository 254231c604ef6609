import { ParseError, QueryCanceledError, QueryTimeoutError, PromQLError } from '@strata/promql';
import {
  PromApiError,
  StrataError,
  type PromApiReply,
  type PromErrorType,
} from '@strata/contracts';
import { SeriesLimitError } from '../storage/tenant-queryable';

/** The error reply of a failure, typed the way Prometheus' `returnAPIError` types engine errors. */
export function errorReply(
  error: unknown,
  warnings: string[] = [],
  infos: string[] = [],
): PromApiReply<never> {
  const [errorType, message] = classify(error);
  return {
    status: 'error',
    errorType,
    error: message,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(infos.length > 0 ? { infos } : {}),
  };
}

function classify(error: unknown): [PromErrorType, string] {
  if (error instanceof PromApiError) return [error.errorType, error.message];
  if (error instanceof ParseError)
    return ['bad_data', `invalid parameter "query": ${error.message}`];
  if (error instanceof QueryTimeoutError) return ['timeout', error.message];
  if (error instanceof QueryCanceledError) return ['canceled', error.message];
  if (error instanceof SeriesLimitError || error instanceof PromQLError)
    return ['execution', error.message];
  // A store that did not answer (without partial response): Prometheus' and Thanos' 503.
  if (error instanceof StrataError && (error.code === 'unavailable' || error.code === 'timeout'))
    return [error.code, error.message];
  // Anything else is our own failure, not the query's: a client may retry it.
  return ['internal', error instanceof Error ? error.message : String(error)];
}
