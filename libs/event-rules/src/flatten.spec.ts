import { auditCorpus } from '@strata/testing';
import {
  flattenAuditEvent,
  flattenAuditEventWhole,
  flattenKubeEvent,
  flattenKubeEventWhole,
} from './flatten';

type Audit = Parameters<typeof flattenAuditEvent>[0];

describe('flattening audit events, each key read on demand', () => {
  const corpus = auditCorpus(400, Date.parse('2026-12-01T00:00:00Z')) as unknown as Audit[];
  // Every key any event of the corpus has, so each event is also asked for the keys it lacks.
  const allKeys = new Set(corpus.flatMap((e) => [...flattenAuditEventWhole(e, 'prod').keys()]));
  allKeys.add('RequestObject.no.such.key').add('RequestObject').add('Verb.no');

  it('answers every key, read one at a time from a fresh map, as the whole map holds it', () => {
    let nested = 0;
    let absent = 0;
    for (const event of corpus) {
      const whole = flattenAuditEventWhole(event, 'prod');
      for (const key of allKeys) {
        if (!whole.has(key)) absent++;
        else if (/^(Request|Response)Object\./.test(key)) nested++;
        // A fresh map for each key: the read itself must find the value.
        expect(flattenAuditEvent(event, 'prod').get(key)).toEqual(whole.get(key));
        expect(flattenAuditEvent(event, 'prod').has(key)).toBe(whole.has(key));
      }
      expect(flattenAuditEvent(event, 'prod').size).toBe(whole.size);
    }
    // The corpus has events without users' optional parts, object references and statuses.
    expect(nested).toBeGreaterThan(100);
    expect(absent).toBeGreaterThan(1_000);
  });

  it('walks the same entries in the same order, after reads or not', () => {
    for (const event of corpus.slice(0, 40)) {
      const want = [...flattenAuditEventWhole(event, 'prod')];
      expect([...flattenAuditEvent(event, 'prod')]).toEqual(want);
      const read = flattenAuditEvent(event, 'prod');
      read.get('Verb');
      read.get('RequestObject.kind');
      expect([...read.entries()]).toEqual(want);
      expect([...read.keys()]).toEqual(want.map(([k]) => k));
    }
  });

  it('keeps every other key when a key is written', () => {
    const [event] = corpus;
    const flat = flattenAuditEvent(event, 'prod');
    flat.set('Workspace', 'ws');
    expect(flat.get('Workspace')).toBe('ws');
    expect(flat.get('Cluster')).toBe('prod');
    expect(flat.size).toBe(flattenAuditEventWhole(event, 'prod').size);
  });
});

describe('flattening Kubernetes events, each key read on demand', () => {
  type Kube = Parameters<typeof flattenKubeEvent>[0];
  const full: Kube = {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: {
      name: 'web-0.17f',
      namespace: 'shop',
      uid: 'u-1',
      resourceVersion: '42',
      generation: 3,
      deletionGracePeriodSeconds: 30,
      labels: { app: 'web' },
      finalizers: ['x'],
    },
    involvedObject: {
      kind: 'Pod',
      namespace: 'shop',
      name: 'web-0',
      fieldPath: 'spec.containers{app}',
    },
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
    source: { component: 'kubelet', host: 'node-1' },
    count: 7,
    type: 'Warning',
    series: { count: 2 },
    related: { kind: 'Node', name: 'node-1' },
    reportingComponent: 'kubelet',
  };
  // Present, absent, null and mistyped parts, as exporters send them.
  const events: Kube[] = [
    full,
    { reason: 'Pulled', involvedObject: { kind: 'Pod' } },
    { ...full, metadata: null, involvedObject: 'x', source: [], series: null, related: 7 },
    { ...full, count: '3', metadata: { labels: ['a'], ownerReferences: [{ kind: 'ReplicaSet' }] } },
    {},
  ];
  const allKeys = new Set(events.flatMap((e) => [...flattenKubeEventWhole(e).keys()]));
  allKeys.add('metadata').add('involvedObject.nope').add('series');

  it('answers every key, read one at a time from a fresh map, as the whole map holds it', () => {
    let absent = 0;
    for (const event of events) {
      const whole = flattenKubeEventWhole(event);
      for (const key of allKeys) {
        if (!whole.has(key)) absent++;
        expect(flattenKubeEvent(event).get(key)).toEqual(whole.get(key));
        expect(flattenKubeEvent(event).has(key)).toBe(whole.has(key));
      }
      expect([...flattenKubeEvent(event)]).toEqual([...whole]);
    }
    expect(absent).toBeGreaterThan(10);
  });
});
