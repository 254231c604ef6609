import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlLibNode } from 'yaml';

/** A short YAML tag as Go's yaml.v3 resolves it (`!!str`, `!!int`, `!!map` ...). */
export type ShortTag = '!!str' | '!!int' | '!!float' | '!!bool' | '!!null' | '!!map' | '!!seq';

/**
 * One YAML node with the position and resolved tag Go's yaml.v3 would give it, so decoding and
 * error messages can follow Prometheus' rule loader (which decodes with yaml.v3).
 */
export interface YNode {
  kind: 'scalar' | 'map' | 'seq';
  tag: ShortTag;
  /** The scalar's text after quoting and escapes are resolved; '' for collections. */
  value: string;
  /** 1-based, as yaml.v3 reports them. */
  line: number;
  column: number;
  /** Keys and values alternating for maps, items for sequences. */
  content: YNode[];
}

/** What reading the first YAML document gave: its root, or nothing for an empty stream, or a syntax error. */
export type YamlRead = { root: YNode | null } | { syntaxError: string };

/** Reads the first document of a YAML stream, as yaml.v3's Decode and Unmarshal do (later documents are ignored). */
export function readYaml(text: string): YamlRead {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    schema: 'failsafe',
    uniqueKeys: false,
  });
  if (!Array.isArray(docs)) return { root: null };
  const doc = docs[0];
  if (doc === undefined) return { root: null };
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0].line ?? lines.linePos(err.pos[0]).line;
    // yaml.v3 reports syntax errors as "yaml: line N: <reason>"; the reason text is the YAML
    // library's own, since the two parsers word their complaints differently.
    return {
      syntaxError: `yaml: line ${line}: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:$/, '')}`,
    };
  }
  if (doc.contents === null) return { root: null };
  return { root: convert(doc, doc.contents as YamlLibNode, lines) };
}

function position(
  lines: LineCounter,
  offset: number | undefined,
): { line: number; column: number } {
  const p = lines.linePos(offset ?? 0);
  return { line: p.line, column: p.col };
}

function convert(doc: Document, node: YamlLibNode, lines: LineCounter): YNode {
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (target) return convert(doc, target as YamlLibNode, lines);
  }
  const pos = position(lines, node.range?.[0]);
  if (isMap(node)) {
    const content: YNode[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      content.push(toNode(doc, pair.key as YamlLibNode | null, lines, pos));
      content.push(toNode(doc, pair.value as YamlLibNode | null, lines, pos));
    }
    const first = content[0];
    // yaml.v3 places a block mapping where its first key starts.
    const at = first ?? pos;
    return { kind: 'map', tag: '!!map', value: '', line: at.line, column: at.column, content };
  }
  if (isSeq(node)) {
    const content = node.items.map((item) => toNode(doc, item as YamlLibNode | null, lines, pos));
    return { kind: 'seq', tag: '!!seq', value: '', ...pos, content };
  }
  if (isScalar(node)) {
    const value = String(node.value ?? '');
    const plain = node.type === 'PLAIN' || node.type === undefined;
    return {
      kind: 'scalar',
      tag: plain ? resolvePlain(value) : '!!str',
      value,
      ...pos,
      content: [],
    };
  }
  return { kind: 'scalar', tag: '!!null', value: '', ...pos, content: [] };
}

function toNode(
  doc: Document,
  node: YamlLibNode | null,
  lines: LineCounter,
  near: { line: number; column: number },
): YNode {
  if (node === null) return { kind: 'scalar', tag: '!!null', value: '', ...near, content: [] };
  return convert(doc, node, lines);
}

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const BOOLS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
const INT = /^[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$/;
const FLOAT =
  /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;

/** The tag yaml.v3 resolves an unquoted scalar to. */
export function resolvePlain(value: string): ShortTag {
  if (NULLS.has(value)) return '!!null';
  if (BOOLS.has(value)) return '!!bool';
  if (INT.test(value)) return '!!int';
  if (FLOAT.test(value)) return '!!float';
  return '!!str';
}
