export {
  compilePromRegex,
  PromRegex,
  PromRegexSyntaxError,
  type PromRegexMatch,
} from './prom-regex';
export { literalShapeMatcher } from './literal-shapes';
export { compileGoRegexp, GoRegexp } from './go-regexp';
