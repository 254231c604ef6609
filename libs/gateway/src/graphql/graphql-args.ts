/** An optional GraphQL argument: absent arguments arrive as null. */
export type Maybe<T> = T | null | undefined;

/** GraphQL's absent arguments arrive as null; the contracts know only absent fields. */
export function defined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined));
}
