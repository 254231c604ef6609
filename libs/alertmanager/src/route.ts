import { type RouteConfig } from './config';
import { type LabelSet } from './labels';
import { matchesAll, matchersString } from './matchers';

/** A route of the tree with its key (`{}/{severity="page"}`), which group keys start with. */
export interface Route {
  readonly config: RouteConfig;
  readonly key: string;
  readonly children: readonly Route[];
}

/** Builds the route tree with Alertmanager's route keys. */
export function buildRoutes(config: RouteConfig, parentKey: string | null = null): Route {
  const own = matchersString(config.matchers);
  const key = parentKey === null ? own : `${parentKey}/${own}`;
  return { config, key, children: config.routes.map((r) => buildRoutes(r, key)) };
}

/** `Route.Match`: the deepest matching routes, siblings after one only while it has `continue`. */
export function matchRoutes(route: Route, labels: LabelSet): Route[] {
  if (!matchesAll(route.config.matchers, labels)) return [];
  const all: Route[] = [];
  for (const child of route.children) {
    const matched = matchRoutes(child, labels);
    all.push(...matched);
    if (matched.length > 0 && !child.config.continue) break;
  }
  return all.length > 0 ? all : [route];
}

/** The labels an alert is grouped by on a route (all of them for `...`). */
export function groupLabels(route: Route, labels: LabelSet): Record<string, string> {
  const by = route.config.groupBy;
  if (by === null) return { ...labels };
  const out: Record<string, string> = {};
  for (const n of by) if (labels[n] !== undefined) out[n] = labels[n];
  return out;
}
