import { Labels } from '../storage/labels';
import { MemoryQueryable } from '../storage/memory-queryable';
import { Engine } from './engine';
import { type QueryValue } from './types';

// Series reach topk/bottomk in the order the storage returns them (creation order here, as in
// Prometheus' head). The expected answers are traced by hand through Go's container/heap as
// Prometheus 3's aggregationK uses it: a full heap overwrites its root and sifts it down.
function store(values: Record<string, number[]>): MemoryQueryable {
  const q = new MemoryQueryable();
  for (const [s, vs] of Object.entries(values)) {
    vs.forEach((v, i) => q.append(Labels.fromRecord({ __name__: 'm', s }), i * 60_000, v));
  }
  return q;
}

function names(v: QueryValue): string[] {
  if (v.type !== 'vector') throw new Error(v.type);
  return v.value.map((s) => `${s.metric.get('s')}=${s.f}`);
}

describe('topk/bottomk ties, as Prometheus 3 breaks them', () => {
  const engine = new Engine();
  const at = async (q: MemoryQueryable, query: string, t = 0): Promise<string[]> =>
    names((await engine.instantQuery(q, query, t)).result);

  it('keeps the first k of equal values', async () => {
    const q = store({ a: [1], b: [1], c: [1], d: [1] });
    expect(await at(q, 'topk(2, m)')).toEqual(['a=1', 'b=1']);
    expect(await at(q, 'bottomk(3, m)')).toEqual(['a=1', 'b=1', 'c=1']);
  });

  it('evicts the tied series the sift-down leaves at the root (2.42 popped and kept c)', async () => {
    // [a] → push b → [a,b]; c beats a: root=c, b is not less than c → [c,b]; d beats c: root=d,
    // b < d → [b,d]. Prometheus 2.42 popped and pushed instead and kept c and d.
    const q = store({ a: [1], b: [2], c: [2], d: [3] });
    expect(await at(q, 'topk(2, m)')).toEqual(['d=3', 'b=2']);
  });

  it('keeps the same series per group and per step in range queries', async () => {
    const q = store({ a: [1, 3], b: [2, 2], c: [2, 2], d: [3, 1] });
    const r = await engine.rangeQuery(q, 'topk(2, m)', 0, 60_000, 60_000);
    if (r.result.type !== 'matrix') throw new Error(r.result.type);
    const kept = r.result.value.map(
      (s) => `${s.metric.get('s')}@${Array.from(s.ts.subarray(0, s.n)).join(',')}`,
    );
    // Step 0 as above; step 1: [a3] → push b → [b,a]; c does not beat b; d does not beat b.
    expect(kept.sort()).toEqual(['a@60000', 'b@0,60000', 'd@0']);
  });

  it('replaces a NaN at the root only with a number', async () => {
    const q = store({ a: [NaN], b: [NaN], c: [1] });
    expect(await at(q, 'topk(1, m)')).toEqual(['c=1']);
    // [a] → push b (NaN sorts first) → [b,a]; c replaces the NaN root → [c,a] → sifts to [a,c].
    expect(await at(q, 'bottomk(2, m)')).toEqual(['c=1', 'a=NaN']);
  });
});
