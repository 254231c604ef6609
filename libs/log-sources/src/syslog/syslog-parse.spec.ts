import { parseSyslog } from './syslog-parse';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

describe('parseSyslog', () => {
  it('reads RFC 5424 with structured data escapes, a BOM and nanosecond fractions', () => {
    const r = parseSyslog(
      '<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - [a@1 k="v\\"q\\]"][b@2 x="1" y=""] \uFEFFhi there',
      NOW,
    );
    expect(r).toEqual({
      timestampNs: '1061727255000003000',
      line: 'hi there',
      labels: { facility: 'local4', severity: 'notice', hostname: '192.0.2.1', app_name: 'myproc' },
      fields: { procid: '8710', sd: { 'a@1': { k: 'v"q]' }, 'b@2': { x: '1', y: '' } } },
    });
  });

  it('keeps nil values out and takes the receive time when the timestamp is nil; no MSG is an empty line', () => {
    expect(parseSyslog('<13>1 - - - - - -', NOW)).toEqual({
      timestampNs: String(BigInt(NOW) * 1_000_000n),
      line: '',
      labels: { facility: 'user', severity: 'notice' },
      fields: {},
    });
  });

  it('reads RFC 3164 with and without host and pid, in the current UTC year', () => {
    expect(parseSyslog("<34>Oct  1 22:14:15 mymachine su[230]: 'su root' failed", NOW)).toEqual({
      timestampNs: String(BigInt(Date.UTC(2024, 9, 1, 22, 14, 15)) * 1_000_000n),
      line: "'su root' failed",
      labels: { facility: 'auth', severity: 'crit', hostname: 'mymachine', app_name: 'su' },
      fields: { procid: '230' },
    });
    expect(parseSyslog('<13>Feb 29 00:00:00 kernel: panic', NOW)).toMatchObject({
      line: 'panic',
      labels: { app_name: 'kernel' },
    });
  });

  it('keeps a line without PRI, or with a broken 5424 header, whole', () => {
    expect(parseSyslog('just text', NOW)).toMatchObject({
      line: 'just text',
      labels: { facility: 'user', severity: 'notice' },
    });
    expect(parseSyslog('<13>1 notatime h a p m - msg', NOW).line).toBe('1 notatime h a p m - msg');
  });
});
