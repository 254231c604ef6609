import { CARDINALITY_MAX_LIMIT } from '@strata/contracts';
import { type ApiParams } from './params';

/** A parameter Mimir's cardinality endpoints refuse; the message is Mimir's own. */
export class CardinalityParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CardinalityParamError';
  }
}

const DEFAULT_LIMIT = 20;
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Go's `strconv.Atoi`, with its error text: an optional sign and decimal digits within int64.
 * Returns the error message instead of throwing so callers can wrap it.
 */
export function goAtoi(s: string): number | string {
  if (!/^[+-]?\d+$/.test(s)) return `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = BigInt(s);
  if (n > INT64_MAX || n < -INT64_MAX - 1n)
    return `strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`;
  return Number(n);
}

/** Mimir's `selector`: at most one, parsed later by the query service. */
export function selectorParam(p: ApiParams): string | undefined {
  const all = p.all('selector');
  if (all.length > 1) throw new CardinalityParamError("multiple 'selector' params are not allowed");
  return all[0];
}

/** Mimir's `limit`: default 20, between 0 and 500. */
export function cardinalityLimitParam(p: ApiParams): number {
  const all = p.all('limit');
  if (all.length === 0) return DEFAULT_LIMIT;
  if (all.length > 1) throw new CardinalityParamError("multiple 'limit' params are not allowed");
  const n = goAtoi(all[0]);
  if (typeof n === 'string') throw new CardinalityParamError(n);
  if (n < 0) throw new CardinalityParamError("'limit' param cannot be less than '0'");
  if (n > CARDINALITY_MAX_LIMIT)
    throw new CardinalityParamError(
      `'limit' param cannot be greater than '${CARDINALITY_MAX_LIMIT}'`,
    );
  return n;
}

/**
 * Mimir's `label_names[]`: at least one, each a valid label name. Names are UTF-8 as in
 * Prometheus 3 (Mimir's `UTF8Validation`), so only the empty name is invalid; sorted and deduplicated.
 */
export function labelNamesParam(p: ApiParams): string[] {
  const all = p.all('label_names[]');
  if (all.length === 0) throw new CardinalityParamError("'label_names[]' param is required");
  for (const name of all)
    if (name === '') throw new CardinalityParamError(`invalid 'label_names' param '${name}'`);
  return [...new Set(all)].sort();
}

/** Mimir's `count_method`: only `inmemory` (the heads' series) is served; `active` is not tracked. */
export function countMethodParam(p: ApiParams): void {
  const all = p.all('count_method');
  if (all.length === 0 || all[0] === 'inmemory') return;
  throw new CardinalityParamError(
    `invalid 'count_method' param '${all[0]}'. valid options are: [inmemory]`,
  );
}
