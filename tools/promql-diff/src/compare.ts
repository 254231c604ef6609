/** A Prometheus API response body as both servers send it. */
export interface ApiBody {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
  warnings?: string[];
  infos?: string[];
}

/** Status code and body of one API call. */
export interface ApiResponse {
  status: number;
  body: ApiBody;
}

type Point = [number, string];
interface Series {
  metric: Record<string, string>;
  value?: Point;
  values?: Point[];
}

/** Runs a GET against a Prometheus-compatible API. */
export async function apiGet(
  base: string,
  path: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const res = await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`, { headers });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

/** Runs a form-encoded POST against a Prometheus-compatible API. */
export async function apiPost(
  base: string,
  path: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** Whether two sample values agree: NaN equals NaN, otherwise within 1e-5 relative. */
export function valuesEqual(a: string, b: string): boolean {
  const x = parseValue(a);
  const y = parseValue(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (x === y) return true;
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  return Math.abs(x - y) <= 1e-5 * Math.max(Math.abs(x), Math.abs(y)) || Math.abs(x - y) < 1e-12;
}

function key(m: Record<string, string>): string {
  return JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function pointsDiffer(a: Point[], b: Point[]): string | null {
  if (a.length !== b.length) return `point counts ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i][0] - b[i][0]) > 1e-9) return `timestamp ${a[i][0]} vs ${b[i][0]}`;
    if (!valuesEqual(a[i][1], b[i][1])) return `at ${a[i][0]}: ${a[i][1]} vs ${b[i][1]}`;
  }
  return null;
}

function tieRuns(list: Series[]): Series[][] {
  const runs: Series[][] = [];
  for (const s of list) {
    const last = runs[runs.length - 1];
    if (last && last[0].value && s.value && valuesEqual(last[0].value[1], s.value[1])) last.push(s);
    else runs.push([s]);
  }
  return runs;
}

/**
 * Describes how two responses differ, or returns null when they agree: same status, result
 * type, series (in order when `ordered`), timestamps, and values within tolerance.
 */
export function diffResponses(
  expected: ApiResponse,
  actual: ApiResponse,
  ordered = false,
): string | null {
  if (expected.status !== actual.status) {
    return `status ${expected.status} vs ${actual.status} (${expected.body.error ?? ''} | ${actual.body.error ?? ''})`;
  }
  if (expected.body.status === 'error' || actual.body.status === 'error') {
    if (expected.body.errorType !== actual.body.errorType)
      return `errorType ${expected.body.errorType} vs ${actual.body.errorType}`;
    return null;
  }
  const e = expected.body.data;
  const a = actual.body.data;
  if (!e || !a) return 'missing data';
  if (e.resultType !== a.resultType) return `resultType ${e.resultType} vs ${a.resultType}`;
  if (e.resultType === 'scalar' || e.resultType === 'string') {
    const [et, ev] = e.result as Point;
    const [at, av] = a.result as Point;
    if (et !== at) return `timestamp ${et} vs ${at}`;
    return (e.resultType === 'string' ? ev === av : valuesEqual(ev, av))
      ? null
      : `value ${ev} vs ${av}`;
  }
  const es = e.result as Series[];
  const as = a.result as Series[];
  if (es.length !== as.length)
    return `series counts ${es.length} vs ${as.length}: ${es.map((s) => key(s.metric)).join(' ')} | ${as.map((s) => key(s.metric)).join(' ')}`;
  const byKey = (x: Series, y: Series): number => (key(x.metric) < key(y.metric) ? -1 : 1);
  // Prometheus orders ties of sort/topk arbitrarily: only the order of distinct values counts.
  const sortBy = (list: Series[]): Series[] =>
    ordered ? tieRuns(list).flatMap((run) => run.sort(byKey)) : [...list].sort(byKey);
  const eo = sortBy(es);
  const ao = sortBy(as);
  for (let i = 0; i < eo.length; i++) {
    if (key(eo[i].metric) !== key(ao[i].metric))
      return `series ${i}: ${key(eo[i].metric)} vs ${key(ao[i].metric)}`;
    const d = pointsDiffer(
      eo[i].values ?? (eo[i].value ? [eo[i].value as Point] : []),
      ao[i].values ?? (ao[i].value ? [ao[i].value as Point] : []),
    );
    if (d !== null) return `series ${key(eo[i].metric)}: ${d}`;
  }
  return null;
}
