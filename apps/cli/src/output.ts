import { stringify } from 'yaml';
import { table } from './commands/blocks-output';

/** The `-o` formats every read command takes: `table` for people, `json` and `yaml` for scripts. */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;

/** One of OUTPUT_FORMATS. */
export type Output = (typeof OUTPUT_FORMATS)[number];

/** True when `value` names an output format. */
export function isOutput(value: string | undefined): value is Output {
  return (OUTPUT_FORMATS as readonly string[]).includes(value ?? '');
}

/** A table's columns: a header and how to read the cell from a row. */
export type Columns<T> = ReadonlyArray<readonly [string, (row: T) => unknown]>;

function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** `data` as JSON or YAML whole, or as a table of `rows` (the data's list) under `columns`. */
export function render<T>(
  format: Output,
  data: unknown,
  rows: readonly T[],
  columns: Columns<T>,
): string {
  if (format === 'json') return JSON.stringify(data, null, 2);
  if (format === 'yaml') return stringify(data).trimEnd();
  if (rows.length === 0) return 'No resources found.';
  return table(
    columns.map(([header]) => header),
    rows.map((row) => columns.map(([, read]) => cell(read(row)))),
  );
}
