import { parseSyslogMessage } from './syslog-message';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

describe('parseSyslogMessage', () => {
  it('splits RFC 5424 into header parts, structured data and the message', () => {
    expect(
      parseSyslogMessage(
        '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"] \uFEFFAn event',
        NOW,
      ),
    ).toEqual({
      facility: 20,
      severity: 5,
      timestamp: '2003-10-11T22:14:15.003Z',
      timeNs: '1065910455003000000',
      hostname: 'mymachine.example.com',
      appName: 'evntslog',
      msgId: 'ID47',
      structuredData: { 'exampleSDID@32473': { iut: '3' } },
      message: 'An event',
    });
  });

  it('splits RFC 3164 as rsyslog writes it (space-padded day) in the current UTC year', () => {
    expect(parseSyslogMessage('<34>Oct  1 22:14:15 mymachine su[230]: failed', NOW)).toEqual({
      facility: 4,
      severity: 2,
      timestamp: 'Oct 1 22:14:15',
      timeNs: String(BigInt(Date.UTC(2024, 9, 1, 22, 14, 15)) * 1_000_000n),
      hostname: 'mymachine',
      appName: 'su',
      procId: '230',
      message: 'failed',
    });
  });

  it('is null without a valid PRI and keeps the text after PRI when a 5424 header is broken', () => {
    expect(parseSyslogMessage('plain text', NOW)).toBeNull();
    expect(parseSyslogMessage('<192>1 - - - - - - x', NOW)).toBeNull();
    expect(parseSyslogMessage('<13>1 notatime h a p m - msg', NOW)).toEqual({
      facility: 1,
      severity: 5,
      message: '1 notatime h a p m - msg',
    });
  });
});
