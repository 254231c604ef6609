import {
  GoMap,
  GoSlice,
  GoStruct,
  GoTime,
  type GoValue,
  compareGoStrings,
} from '@strata/gotemplate';
import { type TemplateAlert, type TemplateData } from '../template-data';

const GO_ZERO = '0001-01-01T00:00:00Z';

function pairs(record: Readonly<Record<string, string>>): GoSlice {
  const items = Object.keys(record)
    .sort(compareGoStrings)
    .map(
      (k) =>
        new GoStruct('template.Pair', [
          ['Name', k],
          ['Value', record[k]],
        ]),
    );
  return new GoSlice(
    'template.Pairs',
    'template.Pair',
    items,
    new Map([
      [
        'Names',
        () =>
          new GoSlice(
            '[]string',
            'string',
            items.map((p) => p.field('Name')?.value ?? ''),
          ),
      ],
      [
        'Values',
        () =>
          new GoSlice(
            '[]string',
            'string',
            items.map((p) => p.field('Value')?.value ?? ''),
          ),
      ],
    ]),
  );
}

/** Alertmanager's `template.KV` with its methods (`SortedPairs`, `Names`, `Values`, `Remove`). */
export function kv(record: Readonly<Record<string, string>>): GoMap {
  const sorted = (): string[] => Object.keys(record).sort(compareGoStrings);
  return new GoMap(
    'string',
    new Map(Object.entries(record)),
    new Map<string, (...args: GoValue[]) => GoValue>([
      ['SortedPairs', () => pairs(record)],
      ['Names', () => new GoSlice('[]string', 'string', sorted())],
      [
        'Values',
        () =>
          new GoSlice(
            '[]string',
            'string',
            sorted().map((k) => record[k]),
          ),
      ],
      [
        'Remove',
        (keys) => {
          const drop = new Set(keys instanceof GoSlice ? keys.items.map(String) : []);
          return kv(Object.fromEntries(Object.entries(record).filter(([k]) => !drop.has(k))));
        },
      ],
    ]),
  );
}

function time(iso: string): GoTime {
  if (iso === GO_ZERO) return new GoTime(-62135596800n * 1_000_000_000n);
  return new GoTime(BigInt(Date.parse(iso)) * 1_000_000n);
}

// Go's `json:"..."` tags, which html/template's JavaScript escaper marshals with.
const ALERT_JSON = {
  Status: 'status',
  Labels: 'labels',
  Annotations: 'annotations',
  StartsAt: 'startsAt',
  EndsAt: 'endsAt',
  GeneratorURL: 'generatorURL',
  Fingerprint: 'fingerprint',
};
const DATA_JSON = {
  Receiver: 'receiver',
  Status: 'status',
  Alerts: 'alerts',
  GroupLabels: 'groupLabels',
  CommonLabels: 'commonLabels',
  CommonAnnotations: 'commonAnnotations',
  ExternalURL: 'externalURL',
};

function alert(a: TemplateAlert): GoStruct {
  return new GoStruct(
    'template.Alert',
    [
      ['Status', a.status],
      ['Labels', kv(a.labels)],
      ['Annotations', kv(a.annotations)],
      ['StartsAt', time(a.startsAt)],
      ['EndsAt', time(a.endsAt)],
      ['GeneratorURL', a.generatorURL],
      ['Fingerprint', a.fingerprint],
    ],
    false,
    ALERT_JSON,
  );
}

function alerts(list: readonly TemplateAlert[]): GoSlice {
  const of = (status?: string): GoSlice =>
    alerts(status === undefined ? list : list.filter((a) => a.status === status));
  return new GoSlice(
    'template.Alerts',
    'template.Alert',
    list.map(alert),
    new Map([
      ['Firing', () => of('firing')],
      ['Resolved', () => of('resolved')],
    ]),
  );
}

/** Alertmanager's template data (`.Receiver`, `.Status`, `.Alerts.Firing`, `.GroupLabels.SortedPairs`...) as Go values. */
export function templateDataValue(d: TemplateData): GoStruct {
  return new GoStruct(
    'template.Data',
    [
      ['Receiver', d.receiver],
      ['Status', d.status],
      ['Alerts', alerts(d.alerts)],
      ['GroupLabels', kv(d.groupLabels)],
      ['CommonLabels', kv(d.commonLabels)],
      ['CommonAnnotations', kv(d.commonAnnotations)],
      ['ExternalURL', d.externalURL],
    ],
    false,
    DATA_JSON,
  );
}
