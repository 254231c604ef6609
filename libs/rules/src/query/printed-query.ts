import { formatExpr, parseExpr } from '@strata/promql';

/**
 * A rule's expression as Prometheus shows it in `/api/v1/rules` and links it from `generatorURL`:
 * parsed and printed again (`parser.ParseExpr(expr).String()`), so spacing, quoting, durations
 * and redundant grouping are normalised. Stored rules always parse; the text is kept as written
 * if a later, stricter parser refuses it.
 */
export function printedQuery(expr: string): string {
  try {
    return formatExpr(parseExpr(expr));
  } catch {
    return expr;
  }
}
