import { stringify } from 'yaml';
import { type BlockMeta } from '@strata/tsdb';
import { type BlockInspection, type BlockOutcome } from './blocks';

/** How a blocks command prints: `table` for people, `json` or `yaml` for scripts. */
export type OutputFormat = 'table' | 'json' | 'yaml';

/** `value` as JSON or YAML, or null for the table. */
function structured(value: unknown, format: OutputFormat): string | null {
  if (format === 'json') return JSON.stringify(value, null, 2);
  if (format === 'yaml') return stringify(value).trimEnd();
  return null;
}

function time(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '-';
}

function duration(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 1 ? `${Number(h.toFixed(2))}h` : `${Math.round(ms / 60_000)}m`;
}

/** Columns padded to their widest cell, as `kubectl get` prints. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The outcome of an upload or import, one block a row. */
export function renderOutcomes(outcomes: readonly BlockOutcome[], format: OutputFormat): string {
  const whole = structured(outcomes, format);
  if (whole !== null) return whole;
  return table(
    ['ULID', 'TENANT', 'MIN TIME', 'MAX TIME', 'OUTCOME', 'DETAIL'],
    outcomes.map((o) => [
      o.ulid,
      o.tenant || '-',
      time(o.minTime),
      time(o.maxTime),
      o.outcome,
      o.detail ?? '',
    ]),
  );
}

/** A tenant's blocks, as `thanos tools bucket ls -o wide` shows them. */
export function renderBlockList(metas: readonly BlockMeta[], format: OutputFormat): string {
  const whole = structured(metas, format);
  if (whole !== null) return whole;
  return table(
    ['ULID', 'MIN TIME', 'MAX TIME', 'DURATION', 'SERIES', 'SAMPLES', 'CHUNKS', 'LEVEL', 'SOURCE'],
    metas.map((m) => [
      m.ulid,
      time(m.minTime),
      time(m.maxTime),
      duration(m.maxTime - m.minTime),
      String(m.stats.numSeries ?? '-'),
      String(m.stats.numSamples ?? '-'),
      String(m.stats.numChunks ?? '-'),
      String(m.compaction.level),
      m.thanos?.source || '-',
    ]),
  );
}

/** One block: its meta in brief, its stats and its label names with how many values each has. */
export function renderInspection(inspection: BlockInspection, format: OutputFormat): string {
  const whole = structured(inspection, format);
  if (whole !== null) return whole;
  const m = inspection.meta;
  const labels = Object.entries(m.thanos?.labels ?? {})
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  const about = table(
    ['FIELD', 'VALUE'],
    [
      ['ulid', m.ulid],
      ['min time', `${time(m.minTime)} (${m.minTime})`],
      ['max time', `${time(m.maxTime)} (${m.maxTime})`],
      ['duration', duration(m.maxTime - m.minTime)],
      ['series', String(m.stats.numSeries ?? '-')],
      ['samples', String(m.stats.numSamples ?? '-')],
      ['chunks', String(m.stats.numChunks ?? '-')],
      ['compaction level', String(m.compaction.level)],
      ['source', m.thanos?.source || '-'],
      ['external labels', labels || '-'],
      [
        'files',
        (m.thanos?.files ?? [])
          .map((f) => `${f.rel_path}${f.size_bytes === undefined ? '' : ` (${f.size_bytes} B)`}`)
          .join(', '),
      ],
    ],
  );
  const names = table(
    ['LABEL NAME', 'VALUES'],
    inspection.labels.map((l) => [l.name, String(l.values)]),
  );
  return `${about}\n\n${names}`;
}
