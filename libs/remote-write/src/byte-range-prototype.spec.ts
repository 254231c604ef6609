import { readRanges, splitByRanges } from '../testing/byte-range-prototype';
import { encodeWriteRequestV1, marshalWriteRequestV1 } from '../testing/encode';
import { generateBatch } from '../testing/generate';
import { decodeWriteRequest } from './decode';
import { LabelInjection } from './label-block-builder';
import { partitionOf } from './series-hash';
import { DEFAULT_VALIDATION, type ResolvedValidation } from './validate';

// The stage benchmark's figures for the byte-range split hold only if the prototype does what the
// write path would: these check it against the decoder the router uses.
describe('byte-range split prototype', () => {
  const injection = new LabelInjection([
    { name: '__tenant__', value: 'acme', override: true },
    { name: 'cluster', value: 'eu-1', override: false },
  ]);
  const o: ResolvedValidation = DEFAULT_VALIDATION;
  const batch = generateBatch({ series: 400, samplesPerSeries: 3, seed: 7 });
  const raw = Buffer.from(marshalWriteRequestV1(batch));
  const decoded = decodeWriteRequest(encodeWriteRequestV1(batch), 'v1', o, injection).series;
  const window = { from: -Infinity, until: Infinity };

  it("gives each partition the request's own series bytes, in request order, with their hashes", () => {
    const parts = splitByRanges(raw, o, injection, 4, window);
    expect(parts.map((p) => p.partition).sort()).toEqual([0, 1, 2, 3]);
    for (const part of parts) {
      const mine = batch.series.filter(
        (_, i) => partitionOf(decoded[i].hash, 4) === part.partition,
      );
      const own = Buffer.from(marshalWriteRequestV1({ series: mine, metadata: [] }));
      expect(part.data.equals(own)).toBe(true);
      expect(part.hashes).toEqual(
        decoded.filter((s) => partitionOf(s.hash, 4) === part.partition).map((s) => s.hash),
      );
    }
  });

  it("rebuilds on the ingester's side the label blocks and samples the router's decoder makes", () => {
    const parts = splitByRanges(raw, o, injection, 4, window);
    for (const part of parts) {
      const expected = decoded.filter((s) => partitionOf(s.hash, 4) === part.partition);
      const seen: Array<{ block: Buffer; ts: number[]; vs: number[] }> = [];
      readRanges(part.data, o, injection, (buf, start, end, ts, vs) =>
        seen.push({ block: Buffer.from(buf.subarray(start, end)), ts: [...ts], vs: [...vs] }),
      );
      expect(seen.map((s) => s.block.toString('hex'))).toEqual(
        expected.map((s) => s.buf.subarray(s.start, s.end).toString('hex')),
      );
      expect(seen.map((s) => s.ts)).toEqual(expected.map((s) => [...s.timestamps]));
      expect(seen.map((s) => s.vs)).toEqual(expected.map((s) => [...s.values]));
    }
  });
});
