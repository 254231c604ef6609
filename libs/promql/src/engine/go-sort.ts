// Go's `sort.Sort` (pattern-defeating quicksort since Go 1.19), step for step, so that elements
// that compare equal end up in the order Prometheus leaves them: topk/bottomk sort their heaps
// with it, and an instant query returns them in that order. Insertion sort up to 12 elements.

type Less<T> = (a: T, b: T) => boolean;

const enum Hint {
  Unknown,
  Increasing,
  Decreasing,
}

function swap<T>(d: T[], i: number, j: number): void {
  const t = d[i];
  d[i] = d[j];
  d[j] = t;
}

function insertionSort<T>(d: T[], less: Less<T>, a: number, b: number): void {
  for (let i = a + 1; i < b; i++)
    for (let j = i; j > a && less(d[j], d[j - 1]); j--) swap(d, j, j - 1);
}

function siftDown<T>(d: T[], less: Less<T>, lo: number, hi: number, first: number): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && less(d[first + child], d[first + child + 1])) child++;
    if (!less(d[first + root], d[first + child])) return;
    swap(d, first + root, first + child);
    root = child;
  }
}

function heapSort<T>(d: T[], less: Less<T>, a: number, b: number): void {
  const hi = b - a;
  for (let i = Math.floor((hi - 1) / 2); i >= 0; i--) siftDown(d, less, i, hi, a);
  for (let i = hi - 1; i >= 0; i--) {
    swap(d, a, a + i);
    siftDown(d, less, 0, i, a);
  }
}

function bitLen(n: number): number {
  return n === 0 ? 0 : 32 - Math.clz32(n);
}

const MASK64 = (1n << 64n) - 1n;

/**
 * Which Go release's pattern breaker to follow: Go 1.24 (Prometheus 3.5's builds) shifts by 13, 7
 * and 17 bits; earlier releases (Debian's Prometheus 2.42 is built with Go 1.19) by 13, 17 and 5.
 */
export type GoSortRelease = 'go1.24' | 'go1.19';

// The xorshift, seeded with the length, that breakPatterns draws from.
function xorshift(seed: number, release: GoSortRelease): () => bigint {
  const [x, y, z] = release === 'go1.24' ? [13n, 7n, 17n] : [13n, 17n, 5n];
  let r = BigInt(seed);
  return () => {
    r ^= (r << x) & MASK64;
    r ^= r >> y;
    r ^= (r << z) & MASK64;
    return r;
  };
}

function breakPatterns<T>(d: T[], a: number, b: number, release: GoSortRelease): void {
  const length = b - a;
  if (length < 8) return;
  const next = xorshift(length, release);
  const modulus = BigInt(2 ** bitLen(length));
  const mid = a + Math.floor(length / 4) * 2;
  for (let idx = mid - 1; idx <= mid + 1; idx++) {
    let other = Number(next() & (modulus - 1n));
    if (other >= length) other -= length;
    swap(d, idx, a + other);
  }
}

function choosePivot<T>(d: T[], less: Less<T>, a: number, b: number): [number, Hint] {
  const l = b - a;
  const swaps = { n: 0 };
  const order2 = (x: number, y: number): [number, number] => {
    if (less(d[y], d[x])) {
      swaps.n++;
      return [y, x];
    }
    return [x, y];
  };
  const median = (x: number, y: number, z: number): number => {
    [x, y] = order2(x, y);
    [y, z] = order2(y, z);
    [x, y] = order2(x, y);
    return y;
  };
  let i = a + Math.floor(l / 4);
  let j = a + Math.floor(l / 4) * 2;
  let k = a + Math.floor(l / 4) * 3;
  if (l >= 8) {
    if (l >= 50) {
      i = median(i - 1, i, i + 1);
      j = median(j - 1, j, j + 1);
      k = median(k - 1, k, k + 1);
    }
    j = median(i, j, k);
  }
  if (swaps.n === 0) return [j, Hint.Increasing];
  if (swaps.n === 12) return [j, Hint.Decreasing];
  return [j, Hint.Unknown];
}

function reverseRange<T>(d: T[], a: number, b: number): void {
  for (let i = a, j = b - 1; i < j; i++, j--) swap(d, i, j);
}

function partialInsertionSort<T>(d: T[], less: Less<T>, a: number, b: number): boolean {
  let i = a + 1;
  for (let step = 0; step < 5; step++) {
    while (i < b && !less(d[i], d[i - 1])) i++;
    if (i === b) return true;
    if (b - a < 50) return false;
    swap(d, i, i - 1);
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1; j--) {
        if (!less(d[j], d[j - 1])) break;
        swap(d, j, j - 1);
      }
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b; j++) {
        if (!less(d[j], d[j - 1])) break;
        swap(d, j, j - 1);
      }
    }
  }
  return false;
}

function partitionEqual<T>(d: T[], less: Less<T>, a: number, b: number, pivot: number): number {
  swap(d, a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !less(d[a], d[i])) i++;
    while (i <= j && less(d[a], d[j])) j--;
    if (i > j) return i;
    swap(d, i, j);
    i++;
    j--;
  }
}

function partition<T>(
  d: T[],
  less: Less<T>,
  a: number,
  b: number,
  pivot: number,
): [number, boolean] {
  swap(d, a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && less(d[i], d[a])) i++;
  while (i <= j && !less(d[j], d[a])) j--;
  if (i > j) {
    swap(d, j, a);
    return [j, true];
  }
  swap(d, i, j);
  i++;
  j--;
  for (;;) {
    while (i <= j && less(d[i], d[a])) i++;
    while (i <= j && !less(d[j], d[a])) j--;
    if (i > j) break;
    swap(d, i, j);
    i++;
    j--;
  }
  swap(d, j, a);
  return [j, false];
}

function pdqsort<T>(
  d: T[],
  less: Less<T>,
  a0: number,
  b0: number,
  limit0: number,
  release: GoSortRelease,
): void {
  let a = a0;
  let b = b0;
  let limit = limit0;
  let wasBalanced = true;
  let wasPartitioned = true;
  for (;;) {
    const length = b - a;
    if (length <= 12) {
      insertionSort(d, less, a, b);
      return;
    }
    if (limit === 0) {
      heapSort(d, less, a, b);
      return;
    }
    if (!wasBalanced) {
      breakPatterns(d, a, b, release);
      limit--;
    }
    let [pivot, hint] = choosePivot(d, less, a, b);
    if (hint === Hint.Decreasing) {
      reverseRange(d, a, b);
      pivot = b - 1 - (pivot - a);
      hint = Hint.Increasing;
    }
    if (wasBalanced && wasPartitioned && hint === Hint.Increasing) {
      if (partialInsertionSort(d, less, a, b)) return;
    }
    if (a > 0 && !less(d[a - 1], d[pivot])) {
      a = partitionEqual(d, less, a, b, pivot);
      continue;
    }
    const [mid, already] = partition(d, less, a, b, pivot);
    wasPartitioned = already;
    const leftLen = mid - a;
    const rightLen = b - mid;
    const balanceThreshold = Math.floor(length / 8);
    if (leftLen < rightLen) {
      wasBalanced = leftLen >= balanceThreshold;
      pdqsort(d, less, a, mid, limit, release);
      a = mid + 1;
    } else {
      wasBalanced = rightLen >= balanceThreshold;
      pdqsort(d, less, mid + 1, b, limit, release);
      b = mid;
    }
  }
}

/** Sorts `data` in place as Go's `sort.Sort` does with an Interface whose Less is `less`. */
export function goSort<T>(data: T[], less: Less<T>, release: GoSortRelease = 'go1.24'): void {
  const n = data.length;
  if (n <= 1) return;
  pdqsort(data, less, 0, n, bitLen(n), release);
}
