import { parseDuration } from '@strata/promql';
import { type YNode } from './yaml-node';

/** A string field with where its value sits in the file (0:0 when the field is absent, as in yaml.v3). */
export interface Positioned {
  value: string;
  line: number;
  column: number;
}

/** One rule exactly as the file spells it, before validation. */
export interface DecodedRule {
  record: Positioned;
  alert: Positioned;
  expr: Positioned;
  forMs: number;
  keepFiringForMs: number;
  labels: Map<string, string>;
  annotations: Map<string, string>;
}

/** One group exactly as the file spells it, before validation. */
export interface DecodedGroup {
  name: string;
  line: number;
  column: number;
  intervalMs: number;
  queryOffsetMs: number | undefined;
  limit: number;
  rules: DecodedRule[];
}

/**
 * The result of decoding a rule file into Prometheus' Go types: the groups, or yaml.v3's
 * "unmarshal errors" list, or the single error a field's own decoder failed with (durations).
 */
export type Decoded = { ok: true; groups: DecodedGroup[] } | { ok: false; problems: string[] };

const ABSENT: Positioned = { value: '', line: 0, column: 0 };

class Abort extends Error {}

/**
 * Decodes the document root as yaml.v3 decodes into Prometheus' rulefmt types with known fields
 * enforced: type errors and unknown fields are gathered with their lines, a bad duration stops
 * decoding at once.
 */
export function decodeRuleGroups(root: YNode | null, opts: { queryOffset: boolean }): Decoded {
  const terrors: string[] = [];
  const groups: DecodedGroup[] = [];
  try {
    if (root !== null) decodeRoot(root, groups, terrors, opts.queryOffset);
  } catch (e) {
    if (e instanceof Abort) return { ok: false, problems: [e.message] };
    throw e;
  }
  if (terrors.length > 0) return { ok: false, problems: [unmarshalErrors(terrors)] };
  return { ok: true, groups };
}

/**
 * The problems of Prometheus' second, lenient pass over the same file (into `[]yaml.Node`), which
 * only complains when the file's top level or its `groups` has the wrong shape.
 */
export function decodeGroupNodes(root: YNode | null): string[] {
  if (root === null || root.tag === '!!null') return [];
  const terrors: string[] = [];
  if (root.kind !== 'map') {
    terrors.push(typeError(root, 'rulefmt.ruleGroups'));
  } else if (!duplicateKeys(root, terrors)) {
    for (let i = 0; i < root.content.length; i += 2) {
      const v = root.content[i + 1];
      if (root.content[i].value === 'groups' && v.tag !== '!!null' && v.kind !== 'seq') {
        terrors.push(typeError(v, '[]yaml.Node'));
      }
    }
  }
  return terrors.length > 0 ? [unmarshalErrors(terrors)] : [];
}

function unmarshalErrors(terrors: string[]): string {
  return `yaml: unmarshal errors:\n  ${terrors.join('\n  ')}`;
}

function typeError(n: YNode, goType: string): string {
  let value = '';
  if (n.kind === 'scalar') {
    value = n.value.length > 10 ? ` \`${n.value.slice(0, 7)}...\`` : ` \`${n.value}\``;
  }
  return `line ${n.line}: cannot unmarshal ${n.tag}${value} into ${goType}`;
}

/** yaml.v3 refuses a mapping with a repeated key before decoding any of its fields. */
function duplicateKeys(n: YNode, terrors: string[]): boolean {
  const before = terrors.length;
  for (let i = 0; i < n.content.length; i += 2) {
    for (let j = i + 2; j < n.content.length; j += 2) {
      const a = n.content[i];
      const b = n.content[j];
      if (a.kind === b.kind && a.value === b.value) {
        terrors.push(
          `line ${b.line}: mapping key ${JSON.stringify(b.value)} already defined at line ${a.line}`,
        );
      }
    }
  }
  return terrors.length > before;
}

/** Visits a struct's fields in file order, reporting unknown ones; false when it is no mapping. */
function eachField(
  n: YNode,
  goType: string,
  terrors: string[],
  known: readonly string[],
  visit: (name: string, value: YNode) => void,
): boolean {
  if (n.kind !== 'map') {
    terrors.push(typeError(n, goType));
    return false;
  }
  if (duplicateKeys(n, terrors)) return false;
  for (let i = 0; i < n.content.length; i += 2) {
    const key = n.content[i];
    if (key.kind !== 'scalar') {
      terrors.push(typeError(key, 'string'));
      continue;
    }
    if (known.includes(key.value)) visit(key.value, n.content[i + 1]);
    else terrors.push(`line ${key.line}: field ${key.value} not found in type ${goType}`);
  }
  return true;
}

function decodeRoot(
  root: YNode,
  groups: DecodedGroup[],
  terrors: string[],
  queryOffset: boolean,
): void {
  if (root.tag === '!!null') return;
  eachField(root, 'rulefmt.RuleGroups', terrors, ['groups'], (_, v) => {
    for (const item of sequence(v, '[]rulefmt.RuleGroup', terrors)) {
      groups.push(decodeGroup(item, terrors, queryOffset));
    }
  });
}

function sequence(n: YNode, goType: string, terrors: string[]): YNode[] {
  if (n.tag === '!!null') return [];
  if (n.kind !== 'seq') {
    terrors.push(typeError(n, goType));
    return [];
  }
  return n.content;
}

function decodeGroup(n: YNode, terrors: string[], queryOffset: boolean): DecodedGroup {
  const g: DecodedGroup = {
    name: '',
    line: n.line,
    column: n.column,
    intervalMs: 0,
    queryOffsetMs: undefined,
    limit: 0,
    rules: [],
  };
  if (n.tag === '!!null') return g;
  const fields = ['name', 'interval', 'limit', 'rules', ...(queryOffset ? ['query_offset'] : [])];
  eachField(n, 'rulefmt.RuleGroup', terrors, fields, (name, v) => {
    switch (name) {
      case 'name':
        g.name = str(v, terrors);
        break;
      case 'interval':
        g.intervalMs = duration(v, terrors) ?? 0;
        break;
      case 'query_offset':
        g.queryOffsetMs = duration(v, terrors);
        break;
      case 'limit':
        g.limit = int(v, terrors);
        break;
      case 'rules':
        for (const item of sequence(v, '[]rulefmt.RuleNode', terrors))
          g.rules.push(decodeRule(item, terrors));
        break;
    }
  });
  return g;
}

function decodeRule(n: YNode, terrors: string[]): DecodedRule {
  const r: DecodedRule = {
    record: ABSENT,
    alert: ABSENT,
    expr: ABSENT,
    forMs: 0,
    keepFiringForMs: 0,
    labels: new Map(),
    annotations: new Map(),
  };
  if (n.tag === '!!null') return r;
  const fields = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];
  eachField(n, 'rulefmt.RuleNode', terrors, fields, (name, v) => {
    switch (name) {
      case 'record':
      case 'alert':
      case 'expr':
        // These are yaml.Node in Prometheus, which keeps any node; only a scalar's text is used.
        r[name] = {
          value: v.kind === 'scalar' && v.tag !== '!!null' ? v.value : '',
          line: v.line,
          column: v.column,
        };
        break;
      case 'for':
        r.forMs = duration(v, terrors) ?? 0;
        break;
      case 'keep_firing_for':
        r.keepFiringForMs = duration(v, terrors) ?? 0;
        break;
      case 'labels':
        r.labels = stringMap(v, terrors);
        break;
      case 'annotations':
        r.annotations = stringMap(v, terrors);
        break;
    }
  });
  return r;
}

function str(n: YNode, terrors: string[]): string {
  if (n.kind !== 'scalar') {
    terrors.push(typeError(n, 'string'));
    return '';
  }
  return n.tag === '!!null' ? '' : n.value;
}

function int(n: YNode, terrors: string[]): number {
  if (n.tag === '!!null') return 0;
  if (n.tag === '!!int') {
    const v = goInt(n.value);
    if (Number.isSafeInteger(v)) return v;
  }
  if (n.tag === '!!float') {
    const v = Number(n.value);
    if (Number.isFinite(v)) return Math.trunc(v);
  }
  terrors.push(typeError(n, 'int'));
  return 0;
}

/** Reads an integer literal as Go's strconv.ParseInt with base 0 does (0b, 0o, 0x and leading-0 octal). */
function goInt(text: string): number {
  let s = text.replace(/_/g, '');
  const sign = s.startsWith('-') ? -1 : 1;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  if (/^0[0-7]+$/.test(s)) s = `0o${s.slice(1)}`;
  return sign * Number(s);
}

/** model.Duration decodes through a string, then fails the whole decode on a bad duration. */
function duration(n: YNode, terrors: string[]): number | undefined {
  if (n.tag === '!!null') return undefined;
  if (n.kind !== 'scalar') {
    terrors.push(typeError(n, 'string'));
    return undefined;
  }
  try {
    return parseDuration(n.value);
  } catch (e) {
    throw new Abort((e as Error).message);
  }
}

function stringMap(n: YNode, terrors: string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (n.tag === '!!null') return out;
  if (n.kind !== 'map') {
    terrors.push(typeError(n, 'map[string]string'));
    return out;
  }
  if (duplicateKeys(n, terrors)) return out;
  for (let i = 0; i < n.content.length; i += 2) {
    out.set(str(n.content[i], terrors), str(n.content[i + 1], terrors));
  }
  return out;
}
