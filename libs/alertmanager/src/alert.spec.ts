import { acceptAlert, checkPostedAlerts } from './alert';
import { fingerprint } from './labels';

describe('checkPostedAlerts', () => {
  it('accepts what amtool and Prometheus post', () => {
    const body = [
      { labels: { alertname: 'A' } },
      {
        labels: { alertname: 'B', instance: 'db1' },
        annotations: { summary: 's' },
        startsAt: '2026-12-05T05:00:00.123Z',
        endsAt: '2026-12-05T07:00:00+01:00',
        generatorURL: 'http://prometheus/graph',
      },
      // amtool sends Go's zero time for "not set".
      { labels: { alertname: 'C' }, startsAt: '0001-01-01T00:00:00Z' },
    ];
    expect(checkPostedAlerts(body)).toEqual({ alerts: body });
  });

  it('names every refused alert and why', () => {
    const checked = checkPostedAlerts([
      { labels: { alertname: 'ok' } },
      { labels: {} },
      { labels: { 'bad-name': 'x' } },
      { labels: { a: 1 } },
      { labels: { a: 'x' }, startsAt: 'yesterday' },
      { labels: { a: 'x' }, startsAt: '2026-12-05T06:00:00Z', endsAt: '2026-12-05T05:00:00Z' },
      'not an alert',
    ]);
    expect(checked).toEqual({
      problems: [
        { path: '1', message: 'at least one label pair required' },
        { path: '2', message: 'invalid label set: invalid name "bad-name"' },
        { path: '3.labels', message: 'must map label names to strings' },
        { path: '4.startsAt', message: 'not a date-time' },
        { path: '5', message: 'start time must be before end time' },
        { path: '6', message: 'not an alert' },
      ],
    });
    expect(checkPostedAlerts({ labels: {} })).toEqual({
      problems: [{ path: '(root)', message: 'the body must be a list of alerts' }],
    });
  });

  it('drops labels with empty values, as API v2 does, before validating and fingerprinting', () => {
    const posted = { labels: { alertname: 'A', value: '' } };
    expect(checkPostedAlerts([posted])).toEqual({ alerts: [posted] });
    const alert = acceptAlert(posted, Date.now(), 300_000);
    expect(alert.labels).toEqual({ alertname: 'A' });
    expect(alert.fingerprint).toBe(fingerprint({ alertname: 'A' }));
    expect(checkPostedAlerts([{ labels: { a: '' } }])).toEqual({
      problems: [{ path: '0', message: 'at least one label pair required' }],
    });
  });
});

/** FNV-1a 64 the plain way, over Go's byte order of names: what the limb arithmetic must equal. */
function referenceFingerprint(ls: Record<string, string>): string {
  const names = Object.keys(ls).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let h = 0xcbf29ce484222325n;
  for (const name of names)
    for (const part of [name, ls[name]]) {
      for (const byte of [...Buffer.from(part), 0xff])
        h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
    }
  return h.toString(16).padStart(16, '0');
}

describe('fingerprint', () => {
  it('is FNV-1a 64 over sorted names and values, beyond ASCII and the BMP too', () => {
    const sets: Record<string, string>[] = [
      {},
      { alertname: 'DiskFull', instance: 'db1' },
      { a: '', b: '\u00ff\ud7ff\ue000', z: 'x' },
      { é: 'ü日本', zz: '😀', Z: 'x', '\ue000': '1', '😀': '2' },
      ...Array.from({ length: 50 }, (_, i) => ({ alertname: `A${i}`, group: `g${i * 7919}` })),
      // Posted in reverse and scrambled order, short and long (sorted two ways).
      { zone: 'z', severity: 's', job: 'j', instance: 'i', alertname: 'A', _a: '_' },
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`l${(i * 17) % 40}`, `${i}`])),
    ];
    for (const ls of sets) expect(fingerprint(ls)).toBe(referenceFingerprint(ls));
  });
});
