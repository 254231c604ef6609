import { compilePipeline, runPipeline } from '../compile';

const run = (lines: string[]) => {
  const p = compilePipeline({
    name: 'p',
    transforms: { sys: { type: 'parse_syslog', inputs: ['source'] } },
    sinks: { out: { type: 'blackhole', inputs: ['sys'] } },
  });
  return (
    runPipeline(
      p,
      lines.map((line) => ({ timestampNs: '1', line, labels: {}, fields: {} })),
    ).get('out') ?? []
  );
};

describe('parse_syslog', () => {
  it('RFC 5424 with structured data (the RFC example)', () => {
    const [r] = run([
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...',
    ]);
    expect(r.line).toBe('An application event log entry...');
    expect(r.fields).toEqual({
      facility: 20,
      severity: 'notice',
      timestamp: '2003-10-11T22:14:15.003Z',
      hostname: 'mymachine.example.com',
      appname: 'evntslog',
      msgid: 'ID47',
      structured_data: {
        'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
      },
    });
  });

  it('RFC 3164 as rsyslog forwards it, and a line that is not syslog passes unchanged', () => {
    const [bsd, other] = run([
      "<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8",
      'plain text',
    ]);
    expect(bsd.line).toBe("'su root' failed for lonvick on /dev/pts/8");
    expect(bsd.fields).toEqual({
      facility: 4,
      severity: 'crit',
      timestamp: 'Oct 11 22:14:15',
      hostname: 'mymachine',
      appname: 'su',
      procid: '123',
    });
    expect(other).toEqual({ timestampNs: '1', line: 'plain text', labels: {}, fields: {} });
  });
});
