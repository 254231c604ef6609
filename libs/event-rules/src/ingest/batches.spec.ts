import { BatchError, MAX_JSON_DEPTH, parseAuditEventList, parseKubeEventsBody } from './batches';

const core = (name: string) => ({
  kind: 'Event',
  apiVersion: 'v1',
  metadata: { name, namespace: 'shop' },
  involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
  reason: 'BackOff',
  type: 'Warning',
  count: 2,
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof BatchError) return e.message;
    throw e;
  }
  throw new Error('accepted');
}

describe('kube-events exporter bodies', () => {
  test('NDJSON as the exporter marshals it, bare events, arrays and events.k8s.io/v1 all read to core/v1 with their cluster', () => {
    const ndjson = [
      JSON.stringify({ Event: core('a'), cluster: 'prod' }),
      '',
      JSON.stringify({ ...core('b'), cluster: 'edge' }),
      JSON.stringify({
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: 'c' },
        regarding: { kind: 'Node', name: 'n1' },
        note: 'NodeNotReady',
      }),
    ].join('\n');
    const events = parseKubeEventsBody(ndjson, 'default');
    expect(events.map((e) => [e.cluster, (e.event.metadata as { name: string }).name])).toEqual([
      ['prod', 'a'],
      ['edge', 'b'],
      ['default', 'c'],
    ]);
    expect(events[2].event.involvedObject).toEqual({ kind: 'Node', name: 'n1' });
    expect(parseKubeEventsBody(JSON.stringify([core('x'), core('y')]))).toHaveLength(2);
  });

  test.each([
    ['{"Event":', 'line 1: malformed JSON'],
    [
      `${JSON.stringify(core('a'))}\n{"kind":"Pod","involvedObject":{},"metadata":{}}`,
      'line 2: kind must be Event, not "Pod"',
    ],
    [
      `${JSON.stringify(core('a'))}\n\n${JSON.stringify({ ...core('b'), count: 'two' })}`,
      'line 3: count must be a number',
    ],
    [JSON.stringify({ kind: 'Event', metadata: {} }), 'line 1: involvedObject must be an object'],
    [JSON.stringify([core('a'), 7]), 'item 1: an event must be a JSON object'],
    ['', 'body: no events'],
    [
      `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`,
      `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    ],
    // At the limit itself the depth passes and the shape is what is wrong.
    [
      `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`,
      'item 0: an event must be a JSON object',
    ],
    [
      `[${'{"a":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}]`,
      `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    ],
  ])('%j is refused: %s', (body, message) => {
    expect(refusal(() => parseKubeEventsBody(body))).toContain(message);
  });
});

describe('audit.k8s.io/v1 EventList', () => {
  const item = {
    level: 'Metadata',
    auditID: 'a1',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/pods',
    verb: 'list',
    user: { username: 'alice' },
    requestReceivedTimestamp: '2024-05-01T10:00:00.000000Z',
    stageTimestamp: '2024-05-01T10:00:00.002000Z',
  };
  const list = (items: unknown[], extra: object = {}) =>
    JSON.stringify({
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      metadata: {},
      items,
      ...extra,
    });

  test('reads every item of a webhook batch', () => {
    expect(
      parseAuditEventList(list([item, { ...item, auditID: 'a2' }])).map((e) => e.auditID),
    ).toEqual(['a1', 'a2']);
  });

  test.each([
    [list([item], { kind: 'Event' }), 'body: kind must be EventList, not "Event"'],
    [
      list([item], { apiVersion: 'audit.k8s.io/v1beta1' }),
      'body: apiVersion must be audit.k8s.io/v1',
    ],
    [list([item, { ...item, stage: 'Done' }]), 'items[1]: stage must be one of'],
    [list([{ ...item, level: 'Everything' }]), 'items[0]: level must be one of'],
    [list([{ ...item, auditID: '' }]), 'items[0]: auditID must be a non-empty string'],
    [
      list([{ ...item, stageTimestamp: 'yesterday' }]),
      'items[0]: stageTimestamp must be an RFC 3339 time',
    ],
    [list([{ ...item, objectRef: 'pods' }]), 'items[0]: objectRef must be an object'],
    ['{"kind":"EventList",', 'body: malformed JSON'],
  ])('%j is refused: %s', (body, message) => {
    expect(refusal(() => parseAuditEventList(body))).toContain(message);
  });
});
