import { Head } from './head';
import { MATCH_TYPES } from '@strata/contracts';
import { type Matcher, matcher } from '../index/matchers';
import { type Labels, getLabel, labelsFrom } from '../labels';

// Deterministic PRNG so failures reproduce.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Head against a reference model', () => {
  it.each([1, 2, 3, 4, 5])(
    'accepts and returns exactly what a sorted map would (seed %i)',
    (seed) => {
      const rand = rng(seed);
      const window = seed % 2 === 0 ? 50_000 : 0;
      const head = new Head({ outOfOrderWindow: window, chunkRange: 1_000_000 });
      const model = new Map<string, Map<number, number>>();
      const names = ['a', 'b', 'c', 'd'];
      for (let i = 0; i < 3000; i++) {
        const name = names[Math.floor(rand() * names.length)];
        const t = 100_000 + Math.floor(rand() * 200) * 1000 + (i > 1500 ? 150_000 : 0);
        const v = rand() < 0.1 ? NaN : Math.round(rand() * 100) / 4;
        const labels = labelsFrom({ __name__: name, job: 'x' });
        let accepted = true;
        try {
          head.append(labels, t, v);
        } catch (e) {
          accepted = false;
          expect([
            'out_of_order_sample',
            'out_of_bounds',
            'too_old_sample',
            'duplicate_sample_for_timestamp',
          ]).toContain((e as { code: string }).code);
        }
        if (accepted) {
          const m = model.get(name) ?? new Map<number, number>();
          model.set(name, m);
          const prev = m.get(t);
          if (prev !== undefined)
            expect(Object.is(prev, v) || (Number.isNaN(prev) && Number.isNaN(v))).toBe(true);
          m.set(t, v);
        }
      }
      const q = head.querier(-Infinity, Infinity);
      for (const [name, m] of model) {
        const [s] = q.select([matcher('=', '__name__', name)]);
        const got: Array<[number, number]> = [];
        const it = s.iterator();
        while (it.next()) got.push([it.t, it.v]);
        const want = [...m.entries()].sort((x, y) => x[0] - y[0]);
        expect(got).toEqual(want);
      }
    },
  );
});

describe('postings matcher evaluation against brute force', () => {
  it('agrees with evaluating every matcher on every series', () => {
    const rand = rng(11);
    const head = new Head();
    const all: Labels[] = [];
    const vals = ['', 'a', 'b', 'ab', 'ba', 'abc'];
    for (let i = 0; i < 300; i++) {
      const o: Record<string, string> = { __name__: `m${i % 3}` };
      for (const n of ['x', 'y', 'z']) {
        const v = vals[Math.floor(rand() * vals.length)];
        if (v !== '') o[n] = v;
      }
      const l = labelsFrom(o);
      if (head.seriesByLabels(l)) continue;
      head.append(l, 1000, i);
      all.push(l);
    }
    const types = MATCH_TYPES;
    const patterns = ['', 'a', 'a.*', '.*', '.+', 'b|', 'ab|ba', '(a|b)c?'];
    const q = head.querier(0, 2000);
    for (let k = 0; k < 400; k++) {
      const ms: Matcher[] = [];
      const n = 1 + Math.floor(rand() * 3);
      for (let j = 0; j < n; j++) {
        ms.push(
          matcher(
            types[Math.floor(rand() * 4)],
            ['x', 'y', 'z', 'w'][Math.floor(rand() * 4)],
            patterns[Math.floor(rand() * patterns.length)],
          ),
        );
      }
      const want = all.filter((l) => ms.every((m) => m.matches(getLabel(l, m.name) ?? ''))).length;
      expect([ms.join(','), q.select(ms).length]).toEqual([ms.join(','), want]);
    }
  });
});
