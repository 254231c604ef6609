import {
  BUILTINS,
  GoCallError,
  GoSlice,
  STRING_FUNCS,
  type FuncMap,
  type GoFunc,
} from '@strata/gotemplate';

/** Alertmanager 0.25's template functions (`template.DefaultFuncs`) with Go's built-ins. */
export const ALERTMANAGER_FUNCS: FuncMap = new Map<string, GoFunc>([
  ...BUILTINS,
  ...STRING_FUNCS,
  [
    'join',
    {
      params: ['string', 'interface {}'],
      call: ([sep, list]) => {
        if (!(list instanceof GoSlice)) throw new GoCallError(`join: not a []string`);
        return list.items.map(String).join(sep as string);
      },
    },
  ],
  [
    'stringSlice',
    {
      params: [],
      variadic: 'string',
      call: (args) => new GoSlice('[]string', 'string', args.map(String)),
    },
  ],
]);
