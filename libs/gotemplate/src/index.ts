// The public surface of the Go template engine shared by the ruler (Prometheus' templates) and
// notification (Alertmanager's): parsing, execution, Go's built-in functions and the Go value model
// that functions of either family are written against. Everything else is internal.
export * from './errors';
export { parseTemplate, type ParsedTemplate } from './parser';
export { executeTemplate, type ExecOptions, type MissingKey } from './exec';
export { HTML_ESCAPERS, TemplateEscapeError, escapeHtmlTemplate } from './html-escape';
export { BUILTINS, htmlEscape, jsEscape, queryEscape } from './builtins';
export { GoCallError, type GoFunc, type FuncMap, type ParamType } from './funcs';
export {
  GoMap,
  GoSlice,
  GoStruct,
  GoObject,
  type GoValue,
  goTypeName,
  compareGoStrings,
  isTrue,
} from './values';
export { sprint, sprintf, sprintln } from './fmt';
export { formatGoFloat } from './go-float';
export { goQuote } from './go-quote';
export { GoTime } from './go-time';
export { GO_UTC, type GoLocation, loadGoLocation } from './go-zone';
export { matchString, replaceAllString } from './go-regexp';
export { STRING_FUNCS, goTitle, goToUpper, goToLower } from './string-funcs';
export { HUMANIZE_FUNCS, goToFloat, secondsToGoTime } from './humanize';
