import {
  BUILTINS,
  GoCallError,
  GoSlice,
  GoTime,
  HUMANIZE_FUNCS,
  STRING_FUNCS,
  type FuncMap,
  type GoFunc,
  loadGoLocation,
} from '@strata/gotemplate';

/** Alertmanager's template functions (`template.DefaultFuncs`, with `date`, `tz` and Prometheus' `humanize*`) and Go's built-ins. */
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
  [
    'date',
    {
      params: ['string', 'time.Time'],
      call: ([layout, t]) => (t as GoTime).format(layout as string),
    },
  ],
  [
    'tz',
    {
      params: ['string', 'time.Time'],
      call: ([name, t]) => new GoTime((t as GoTime).unixNanos, loadGoLocation(name as string)),
    },
  ],
  ...HUMANIZE_FUNCS,
]);
