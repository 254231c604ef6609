/** One query parameter as a list (`filter=a&filter=b` or a single value). */
export function listParam(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** A boolean query parameter as API v2 reads it, `true` unless given as `false`. */
export function boolParam(v: unknown): boolean {
  return String(v ?? 'true') !== 'false';
}
