import { LogBatch } from '@strata/contracts';
import { partId, serialiseParts } from './batches';

describe('serialiseParts', () => {
  const records = Array.from({ length: 100 }, (_, i) => ({
    timestampNs: String(i + 1),
    line: `line ${i} ${'x'.repeat(200)}`,
    labels: { app: 'a' },
    fields: { i },
  }));
  const draft = {
    tenantId: 'team-a',
    batchId: 'b1',
    source: 'http' as const,
    receivedAt: 5,
    records,
  };

  it('cuts a draft into valid LogBatches under the size, with derived ids, losing no record', () => {
    const parts = serialiseParts(draft, 4_096);
    expect(parts.length).toBeGreaterThan(5);
    const batches = parts.map((p) => LogBatch.parse(JSON.parse(p)));
    expect(parts.every((p) => Buffer.byteLength(p) < 4_096 + 200)).toBe(true);
    expect(batches.map((b) => b.batchId)).toEqual(
      parts.map((_, i) => partId('b1', i, parts.length)),
    );
    expect(batches.flatMap((b) => b.records)).toEqual(records);
  });

  it('keeps the request id for a draft that fits', () => {
    const [only] = serialiseParts(draft, 1024 * 1024);
    expect(LogBatch.parse(JSON.parse(only)).batchId).toBe('b1');
  });
});
