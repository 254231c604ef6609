import { type GoValue } from './values';

/**
 * Parameter types a template function can declare, named as Go names them in error messages.
 * `reflect.Value` and `interface {}` take anything.
 */
export type ParamType =
  | 'string'
  | 'float64'
  | 'int'
  | 'bool'
  | 'interface {}'
  | 'reflect.Value'
  | 'time.Time'
  | '*template.sample'
  | 'template.queryResult';

/** A function callable from templates, with the Go signature that decides argument checks. */
export interface GoFunc {
  params: readonly ParamType[];
  /** Element type of a trailing `...T` parameter. */
  variadic?: ParamType;
  /** `and` and `or` evaluate their arguments lazily. */
  lazy?: 'and' | 'or';
  /** Throws {@link GoCallError} where the Go function returns a non-nil error. */
  call(args: GoValue[]): GoValue | Promise<GoValue>;
}

/** The error a template function returned; execution wraps it as `error calling <name>: <message>`. */
export class GoCallError extends Error {}

/** Template functions by name. */
export type FuncMap = ReadonlyMap<string, GoFunc>;
