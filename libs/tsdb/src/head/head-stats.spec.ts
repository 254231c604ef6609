import { matcher } from '../index/matchers';
import { labelsFrom } from '../labels';
import { Head } from './head';
import {
  type LabelValueCounts,
  addLabelValueCounts,
  headSummary,
  labelValueCounts,
  postingsStats,
} from './head-stats';

const counts = (o: Record<string, Record<string, number>>): LabelValueCounts =>
  new Map(Object.entries(o).map(([n, vs]) => [n, new Map(Object.entries(vs))]));

/** The series of the probe against Debian's Prometheus 2.42, in two tenants. */
function sampleHead(): Head {
  const h = new Head();
  for (let i = 0; i < 5; i++)
    for (let t = 0; t < 3; t++)
      h.append(
        labelsFrom({ __name__: 'aaa', pod: `p${i}`, job: 'x', tenant_id: 'a' }),
        t * 1000,
        1,
      );
  for (let i = 0; i < 3; i++)
    for (let t = 0; t < 150; t++)
      h.append(
        labelsFrom({ __name__: 'bb', pod: `p${i}`, job: 'yy', tenant_id: 'a' }),
        t * 1000,
        1,
      );
  h.append(labelsFrom({ __name__: 'c', job: 'x', tenant_id: 'a' }), 500, 1);
  h.append(labelsFrom({ __name__: 'other', secret: 's', tenant_id: 'b' }), 999_000, 1);
  return h;
}

const tenantA = [matcher('=', 'tenant_id', 'a')];

describe('head stats over the series of one tenant', () => {
  it('summarises only the selected series: count, chunks (120 samples each) and time span', () => {
    expect(headSummary(sampleHead(), tenantA)).toEqual({
      numSeries: 9,
      chunkCount: 5 + 3 * 2 + 1,
      minTime: 0,
      maxTime: 149_000,
    });
    expect(headSummary(sampleHead(), [matcher('=', 'tenant_id', 'none')])).toEqual({
      numSeries: 0,
      chunkCount: 0,
      minTime: null,
      maxTime: null,
    });
  });

  it('counts series per label value without the hidden label or another tenant', () => {
    const got = labelValueCounts(sampleHead(), tenantA, { hidden: ['tenant_id'] });
    expect(got).toEqual(
      counts({
        __name__: { aaa: 5, bb: 3, c: 1 },
        pod: { p0: 2, p1: 2, p2: 2, p3: 1, p4: 1 },
        job: { x: 6, yy: 3 },
      }),
    );
  });

  it('reports the names asked for, even those no series carries, but never a hidden one', () => {
    const got = labelValueCounts(sampleHead(), [...tenantA, matcher('=', 'job', 'yy')], {
      names: ['job', 'missing', 'tenant_id'],
      hidden: ['tenant_id'],
    });
    expect(got).toEqual(counts({ job: { yy: 3 }, missing: {} }));
    expect(labelValueCounts(sampleHead(), tenantA, { names: [] })).toEqual(new Map());
  });

  it('adds counts of disjoint partitions', () => {
    const a = counts({ job: { x: 2 }, pod: { p0: 1 } });
    addLabelValueCounts(a, counts({ job: { x: 1, y: 4 }, le: { '1': 2 } }));
    expect(a).toEqual(counts({ job: { x: 3, y: 4 }, pod: { p0: 1 }, le: { '1': 2 } }));
  });
});

describe('postingsStats (Prometheus 3 MemPostings.Stats)', () => {
  const sample = counts({
    __name__: { aaa: 5, bb: 3, c: 1 },
    pod: { p0: 2, p1: 2, p2: 2, p3: 1, p4: 1 },
    job: { x: 6, yy: 3 },
  });

  it('lists the four top-10s as Prometheus computes them, ties by name', () => {
    expect(postingsStats(sample, 10)).toEqual({
      seriesCountByMetricName: [
        { name: 'aaa', value: 5 },
        { name: 'bb', value: 3 },
        { name: 'c', value: 1 },
      ],
      labelValueCountByLabelName: [
        { name: 'pod', value: 5 },
        { name: '__name__', value: 3 },
        { name: 'job', value: 2 },
      ],
      // Value bytes times the series carrying them: __name__ 3*5 + 2*3 + 1*1, job 1*6 + 2*3, pod 2*(2+2+2+1+1).
      memoryInBytesByLabelName: [
        { name: '__name__', value: 22 },
        { name: 'pod', value: 16 },
        { name: 'job', value: 12 },
      ],
      seriesCountByLabelValuePair: [
        { name: 'job=x', value: 6 },
        { name: '__name__=aaa', value: 5 },
        { name: '__name__=bb', value: 3 },
        { name: 'job=yy', value: 3 },
        { name: 'pod=p0', value: 2 },
        { name: 'pod=p1', value: 2 },
        { name: 'pod=p2', value: 2 },
        { name: '__name__=c', value: 1 },
        { name: 'pod=p3', value: 1 },
        { name: 'pod=p4', value: 1 },
      ],
      numLabelPairs: 10,
    });
  });

  it('cuts every list at the limit but counts every pair', () => {
    const s = postingsStats(sample, 2);
    expect(s.seriesCountByLabelValuePair).toEqual([
      { name: 'job=x', value: 6 },
      { name: '__name__=aaa', value: 5 },
    ]);
    expect(s.labelValueCountByLabelName.map((x) => x.name)).toEqual(['pod', '__name__']);
    expect(s.numLabelPairs).toBe(10);
  });

  it('measures values in UTF-8 bytes, as Go does', () => {
    const s = postingsStats(counts({ city: { zürich: 2, 東京: 1 } }), 10);
    expect(s.memoryInBytesByLabelName).toEqual([{ name: 'city', value: 7 * 2 + 6 }]);
  });
});
