import { EVENT_BATCH_HEADER, type EventBatchMeta, StrataError } from '@strata/contracts';
import { parseAuditEventList, parsedBatches } from '@strata/event-rules';
import { auditCorpus } from '@strata/testing';
import { storedBatch } from './batch-codec';

const bytes = (text: string) => new TextEncoder().encode(text);
const [audit] = auditCorpus(1, 1_700_000_000_000);
const meta: EventBatchMeta = {
  kind: 'audit',
  tenantId: 'acme',
  batchId: 'b-1',
  receivedAt: 1_700_000_000_000,
  cluster: 'prod',
  count: 1,
};
const header = (m: object) => ({ [EVENT_BATCH_HEADER]: JSON.stringify(m) });

describe('a stored batch', () => {
  it('is the raw body re-read with the edge parser, with the metadata of its header', () => {
    const body = JSON.stringify({
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      items: [audit],
    });
    expect(storedBatch(bytes(body), header(meta)).batch).toEqual({
      kind: 'audit',
      tenantId: 'acme',
      batchId: 'b-1',
      receivedAt: 1_700_000_000_000,
      cluster: 'prod',
      items: [audit],
    });
  });

  it("keeps each audit event's text as the body holds it, for the archive", () => {
    const second = { ...audit, auditID: 'second', annotations: { note: 'a ], "b" {' } };
    const body = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[\n  ${JSON.stringify(audit, null, 1)},\r\n${JSON.stringify(second)}\n]}`;
    const { batch, itemTexts } = storedBatch(bytes(body), header({ ...meta, count: 2 }));
    expect(itemTexts?.()).toEqual([JSON.stringify(audit, null, 1), JSON.stringify(second)]);
    expect(itemTexts?.()?.map((t) => JSON.parse(t) as unknown)).toEqual(batch.items);
  });

  it('names the cluster of Kubernetes events that carry none by the metadata', () => {
    const event = { involvedObject: { kind: 'Pod' }, metadata: { name: 'e' }, reason: 'BackOff' };
    const body = `${JSON.stringify(event)}\n${JSON.stringify({ ...event, cluster: 'edge' })}`;
    const { batch, itemTexts } = storedBatch(
      bytes(body),
      header({ ...meta, kind: 'events', count: 2 }),
    );
    // A Kubernetes event may be unwrapped or converted: the archive serialises what was read.
    expect(itemTexts).toBeUndefined();
    expect(batch.kind === 'events' && batch.items.map((i) => i.cluster)).toEqual(['prod', 'edge']);
  });

  it('reads a JSON batch stored before the header existed', () => {
    const legacy = { ...meta, items: [audit] } as Record<string, unknown>;
    delete legacy.count;
    expect(storedBatch(bytes(JSON.stringify(legacy)), {})).toEqual({ batch: legacy });
  });

  it('is refused as bad_request (terminated, never retried) when it cannot be read', () => {
    const bad = (data: string, headers: Record<string, string>) => {
      try {
        storedBatch(bytes(data), headers);
      } catch (error) {
        return error instanceof StrataError ? error.code : error;
      }
      return 'read';
    };
    expect(bad('{"items": [', header(meta))).toBe('bad_request');
    expect(bad('{}', { [EVENT_BATCH_HEADER]: '{"kind":"audit"}' })).toBe('bad_request');
    expect(bad('not json', {})).toBe('bad_request');
    expect(bad('{"kind":"audit"}', {})).toBe('bad_request');
  });
});

describe('a stored batch this process parsed at the edge', () => {
  const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [audit] });
  let close: () => void;
  beforeEach(() => (close = parsedBatches.open()));
  afterEach(() => close());

  it('is taken as parsed, not read again, and its texts are still found in the body', () => {
    const items = parseAuditEventList(body);
    parsedBatches.put(meta.batchId, { kind: 'audit', text: body, items });
    const { batch, itemTexts } = storedBatch(bytes(body), header(meta));
    expect(batch.items).toBe(items);
    expect(itemTexts?.()).toEqual([JSON.stringify(audit)]);
    // Taken once: a redelivery reads the stored bytes.
    expect(storedBatch(bytes(body), header(meta)).batch.items).not.toBe(items);
    expect(storedBatch(bytes(body), header(meta)).batch.items).toEqual(items);
  });

  it('is read from the bytes when what was handed over is of another kind', () => {
    parsedBatches.put(meta.batchId, { kind: 'events', text: '', items: [] });
    expect(storedBatch(bytes(body), header(meta)).batch.items).toEqual([audit]);
  });
});
