import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { RuleGroupSpec } from '@strata/contracts';
import { checkRuleFile } from '@strata/rules';
import { parse, parseDocument, stringify } from 'yaml';
import { ApiError } from '../exit-codes';
import { type Output, render } from '../output';

/** Where the CLI reaches the gateway for rule commands. */
export interface RulesTarget {
  url: string;
  token: string;
  tenant: string;
}

/** `strata rules check`: promtool's verdict and output for each file; the exit code is the worst one. */
export function rulesCheck(files: string[]): number {
  let exit = 0;
  for (const file of files) {
    const report = checkRuleFile(file, readFileSync(file, 'utf8'));
    if (report.stdout) process.stdout.write(report.stdout);
    if (report.stderr) process.stderr.write(report.stderr);
    exit = Math.max(exit, report.exitCode);
  }
  return exit;
}

type Groups = Record<string, unknown>;

/** The groups of a local rule file by group name. */
function localGroups(file: string): Groups {
  const doc = parse(readFileSync(file, 'utf8')) as { groups?: Array<{ name: string }> } | null;
  return Object.fromEntries((doc?.groups ?? []).map((g) => [g.name, g]));
}

/**
 * A group as text that is equal exactly when the groups are: the control plane stores groups as
 * Postgres JSONB, which reorders keys, and YAML reads `expr: 1` as a number the ruler keeps as "1".
 */
function canonical(group: unknown): string {
  const parsed = RuleGroupSpec.safeParse(group);
  return stringify(parsed.success ? parsed.data : group, { sortMapEntries: true });
}

async function call(
  t: RulesTarget,
  method: string,
  path: string,
  body?: string,
): Promise<Response> {
  return fetch(`${t.url.replace(/\/+$/, '')}/prometheus/config/v1/rules${path}`, {
    method,
    headers: {
      authorization: `Bearer ${t.token}`,
      'x-scope-orgid': t.tenant,
      ...(body ? { 'content-type': 'application/yaml' } : {}),
    },
    body,
  });
}

/** The namespace's groups as the ruler keeps them. */
async function remoteGroups(t: RulesTarget, namespace: string): Promise<Groups> {
  const res = await call(t, 'GET', `/${encodeURIComponent(namespace)}`);
  if (res.status === 404) return {};
  if (!res.ok)
    throw new ApiError(
      res.status,
      `http_${res.status}`,
      `GET rules of ${namespace}: ${await res.text()}`,
    );
  const byNs = parseDocument(await res.text()).toJS() as Record<string, Array<{ name: string }>>;
  return Object.fromEntries((byNs[namespace] ?? []).map((g) => [g.name, g]));
}

/** A line per group that differs: `+` only in the file, `-` only in Strata, `~` changed. */
export async function rulesDiff(
  t: RulesTarget,
  file: string,
  namespace = basename(file),
): Promise<string[]> {
  const local = localGroups(file);
  const remote = await remoteGroups(t, namespace);
  const lines: string[] = [];
  for (const name of Object.keys(local)) {
    if (!(name in remote)) lines.push(`+ ${namespace}/${name}`);
    else if (canonical(local[name]) !== canonical(remote[name]))
      lines.push(`~ ${namespace}/${name}`);
  }
  for (const name of Object.keys(remote))
    if (!(name in local)) lines.push(`- ${namespace}/${name}`);
  return lines;
}

/** `strata rules sync`: makes the namespace hold exactly the file's groups; returns what changed. */
export async function rulesSync(
  t: RulesTarget,
  file: string,
  namespace = basename(file),
): Promise<string[]> {
  const changes = await rulesDiff(t, file, namespace);
  const local = localGroups(file);
  for (const line of changes) {
    const name = line.slice(2 + namespace.length + 1);
    const res = line.startsWith('-')
      ? await call(t, 'DELETE', `/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`)
      : await call(t, 'POST', `/${encodeURIComponent(namespace)}`, stringify(local[name]));
    if (!res.ok)
      throw new ApiError(res.status, `http_${res.status}`, `${line}: ${await res.text()}`);
  }
  return changes;
}

/** `strata rules list`: every namespace and group of the tenant, as YAML (mimirtool's), JSON or a table. */
export async function rulesList(t: RulesTarget, format: Output): Promise<string> {
  const res = await call(t, 'GET', '');
  if (res.status !== 404 && !res.ok)
    throw new ApiError(res.status, `http_${res.status}`, `GET rules: ${await res.text()}`);
  const text = res.status === 404 ? '' : await res.text();
  if (format === 'yaml') return text;
  const byNs = (parse(text) ?? {}) as Record<
    string,
    Array<{ name: string; interval?: string; rules?: unknown[] }>
  >;
  const rows = Object.entries(byNs).flatMap(([namespace, groups]) =>
    groups.map((g) => ({ namespace, group: g })),
  );
  return `${render(format, byNs, rows, [
    ['NAMESPACE', (r) => r.namespace],
    ['GROUP', (r) => r.group.name],
    ['INTERVAL', (r) => r.group.interval],
    ['RULES', (r) => r.group.rules?.length ?? 0],
  ])}\n`;
}
