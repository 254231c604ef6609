// CPU per audit event of each in-process stage of the events path, in one process, no I/O:
// what the gateway does to a body (hash, parse and check), what the consumer does to it (parse
// again, flatten, evaluate with the default packs and with 200 more rules, build rows, write COPY
// text, from the parsed events or from each event's own text in the body). Sockets, NATS and Postgres are measured end to end by main.ts.
// Run:
//   node -r @swc-node/register tools/bench/events/stages.ts [records=20000] [rounds=5]
import { createHash } from 'node:crypto';
import {
  compileRuleSets,
  effectiveRuleSets,
  evaluateAuditEvent,
  flattenAuditEvent,
  parseAuditEventList,
} from '@strata/event-rules';
import { auditEventRow, copyText, arrayElementTexts } from '@strata/events';
import { auditCorpus } from '@strata/testing';
import { twoHundredRules } from './rules';

const [RECORDS, ROUNDS] = [20_000, 5].map((d, i) => Number(process.argv[2 + i] ?? d));
type Json = Parameters<typeof flattenAuditEvent>[0];

const audit = auditCorpus(RECORDS, Date.now() - 86_400_000) as unknown as Json[];
const bodies: string[] = [];
for (let i = 0; i < RECORDS; i += 400)
  bodies.push(
    JSON.stringify({
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      metadata: {},
      items: audit.slice(i, i + 400),
    }),
  );
const defaults = compileRuleSets(effectiveRuleSets('bench', []));
const many = compileRuleSets(
  effectiveRuleSets('bench', [
    { tenantId: 'bench', name: 'two-hundred', cluster: null, spec: twoHundredRules(), version: 1 },
  ]),
);

/** Runs `f` and returns its CPU time (user + system) in µs per record, with its result. */
function cpu<T>(f: () => T): [T, number] {
  const start = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(start);
  return [value, (used.user + used.system) / RECORDS];
}

const figures = new Map<string, number[]>();
const note = (stage: string, us: number) => figures.set(stage, [...(figures.get(stage) ?? []), us]);
for (let round = 0; round < ROUNDS; round++) {
  note(
    'gateway: sha256 of the body',
    cpu(() => bodies.map((b) => createHash('sha256').update(b).digest('hex')))[1],
  );
  const [lists, parse] = cpu(() => bodies.map((b) => parseAuditEventList(b)));
  note('parse and check (gateway, again in the consumer)', parse);
  const [flat, flatten] = cpu(() => lists.map((l) => l.map((e) => flattenAuditEvent(e, 'prod'))));
  note('flatten', flatten);
  note(
    'evaluate, default packs',
    cpu(() => flat.map((l) => l.map((f) => evaluateAuditEvent(defaults, f))))[1],
  );
  note(
    'evaluate, default packs + 200 rules',
    cpu(() => flat.map((l) => l.map((f) => evaluateAuditEvent(many, f))))[1],
  );
  const [rows, row] = cpu(() =>
    lists.map((l) => l.map((e) => auditEventRow('prod', e, Date.now()))),
  );
  note('archive rows', row);
  note('COPY text of every row', cpu(() => rows.map((r) => copyText('audit', 'bench', r)))[1]);
  // What the consumer does now: each item's text found in the body, archived as it came.
  note(
    'items found in the body, COPY text of every row',
    cpu(() =>
      bodies.map((b, i) => {
        const texts = arrayElementTexts(b, 'items') ?? [];
        const kept = lists[i].map((e, j) => auditEventRow('prod', e, Date.now(), texts[j]));
        return copyText('audit', 'bench', kept);
      }),
    )[1],
  );
  note('items found in the body', cpu(() => bodies.map((b) => arrayElementTexts(b, 'items')))[1]);
}
console.log(
  `${RECORDS} audit events (${Math.round(bodies[0].length / 400)} bytes each as JSON), CPU µs per event, median of ${ROUNDS} rounds:`,
);
for (const [stage, values] of figures) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(`  ${stage.padEnd(50)} ${sorted[Math.floor(sorted.length / 2)].toFixed(2)}`);
}
