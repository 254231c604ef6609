import { auditCorpus } from '@strata/testing';
import { flattenAuditEvent } from './flatten';
import type { FlatValue } from './go-values';

type Audit = Parameters<typeof flattenAuditEvent>[0];

describe('flattening audit events, request and response objects on first use', () => {
  const corpus = auditCorpus(400, Date.parse('2026-12-01T00:00:00Z')) as unknown as Audit[];
  const withObjects = corpus.filter((e) => e.requestObject ?? e.responseObject);

  it('answers every key, read one at a time from a fresh map, as the whole map holds it', () => {
    expect(withObjects.length).toBeGreaterThan(20);
    let nested = 0;
    for (const event of withObjects) {
      const whole = new Map<string, FlatValue>(flattenAuditEvent(event, 'prod'));
      for (const [key, value] of whole) {
        if (key.startsWith('RequestObject.') || key.startsWith('ResponseObject.')) nested++;
        // A fresh map for each key: the read itself must bring the deferred part in.
        expect(flattenAuditEvent(event, 'prod').get(key)).toEqual(value);
        expect(flattenAuditEvent(event, 'prod').has(key)).toBe(true);
      }
      expect(flattenAuditEvent(event, 'prod').size).toBe(whole.size);
      expect(flattenAuditEvent(event, 'prod').get('RequestObject.no.such.key')).toBeUndefined();
    }
    expect(nested).toBeGreaterThan(100);
  });

  it('flattens the objects for a walk over the entries, as `exists` does', () => {
    for (const event of withObjects.slice(0, 20)) {
      const keys = [...flattenAuditEvent(event, 'prod').keys()];
      const entries = [...flattenAuditEvent(event, 'prod')].map(([k]) => k);
      expect(entries.sort()).toEqual(keys.sort());
      expect(keys.some((k) => /^(Request|Response)Object\./.test(k))).toBe(true);
    }
  });
});
