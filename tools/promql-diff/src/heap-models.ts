// Independent models of how Prometheus picks the series topk/bottomk keep at one step, for two
// versions of promql/engine.go, so the tie suite can tell a version difference from an engine bug:
// - 2.42 (`aggregation`): a full heap pops its root and pushes the newcomer; NaN at the root is
//   replaced even by NaN.
// - 3.x (`aggregationK`, since 2.52): a full heap overwrites its root and sifts it down
//   (`heap.Fix(h, 0)`); NaN at the root is replaced only by a number.
// Both use Go's container/heap and `sort.Sort(sort.Reverse(heap))`; the sort is the engine's own
// port of Go's (`goSort`), which this suite checks against Debian's answers for heaps over 12 items.

import { goSort } from '@strata/promql';

/** One sample of the input vector, in the order the engine receives it. */
export interface ModelSample {
  metric: Record<string, string>;
  value: number;
}

/** Which engine's heap handling to model. */
export type HeapVersion = '2.42' | '3';

type Less = (a: ModelSample, b: ModelSample) => boolean;

const byValue: Less = (a, b) => (Number.isNaN(a.value) ? true : a.value < b.value);
const byReverseValue: Less = (a, b) => (Number.isNaN(a.value) ? true : a.value > b.value);

function swap(h: ModelSample[], i: number, j: number): void {
  [h[i], h[j]] = [h[j], h[i]];
}

// container/heap's up and down, verbatim in behaviour.
function up(h: ModelSample[], less: Less, j: number): void {
  for (;;) {
    const i = Math.floor((j - 1) / 2);
    if (i === j || j <= 0 || !less(h[j], h[i])) break;
    swap(h, i, j);
    j = i;
  }
}

function down(h: ModelSample[], less: Less, i0: number, n: number): void {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    let j = j1;
    if (j1 + 1 < n && less(h[j1 + 1], h[j1])) j = j1 + 1;
    if (!less(h[j], h[i])) break;
    swap(h, i, j);
    i = j;
  }
}

function push(h: ModelSample[], less: Less, s: ModelSample): void {
  h.push(s);
  up(h, less, h.length - 1);
}

function pop(h: ModelSample[], less: Less): void {
  const n = h.length - 1;
  swap(h, 0, n);
  down(h, less, 0, n);
  h.pop();
}

// sort.Sort(sort.Reverse(h)) with the Go release each version was built with (Debian's 2.42:
// Go 1.19; Prometheus 3.5: Go 1.24), whose sorts differ above 12 elements.
function sortReverse(h: ModelSample[], less: Less, version: HeapVersion): void {
  goSort(h, (a, b) => less(b, a), version === '2.42' ? 'go1.19' : 'go1.24');
}

/**
 * The samples `topk`/`bottomk` keep at one step, in the order Prometheus returns them (groups in
 * order of first appearance, each group's heap reverse-sorted), for `version`'s heap handling.
 */
export function modelK(
  version: HeapVersion,
  op: 'topk' | 'bottomk',
  k: number,
  input: readonly ModelSample[],
  groupOf: (metric: Record<string, string>) => string,
): ModelSample[] {
  if (k < 1) return [];
  const less = op === 'topk' ? byValue : byReverseValue;
  // "better" is strictly greater for topk, strictly smaller for bottomk.
  const better = (s: ModelSample, root: ModelSample): boolean =>
    op === 'topk' ? root.value < s.value : root.value > s.value;
  const heaps = new Map<string, ModelSample[]>();
  for (const s of input) {
    const g = groupOf(s.metric);
    const h = heaps.get(g);
    if (h === undefined) {
      heaps.set(g, [s]);
      continue;
    }
    if (version === '2.42') {
      if (h.length < k || better(s, h[0]) || Number.isNaN(h[0].value)) {
        if (h.length === k) {
          if (k === 1) {
            h[0] = s;
            continue;
          }
          pop(h, less);
        }
        push(h, less, s);
      }
    } else if (h.length < k) {
      push(h, less, s);
    } else if (better(s, h[0]) || (Number.isNaN(h[0].value) && !Number.isNaN(s.value))) {
      h[0] = s;
      if (k > 1) down(h, less, 0, h.length);
    }
  }
  const out: ModelSample[] = [];
  for (const h of heaps.values()) {
    sortReverse(h, less, version);
    out.push(...h);
  }
  return out;
}
