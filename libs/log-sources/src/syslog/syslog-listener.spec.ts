import { parseSyslogPorts } from './syslog-listener';

describe('parseSyslogPorts', () => {
  it('reads <tcp|udp>:<port>=<tenant> entries and refuses anything else', () => {
    expect(parseSyslogPorts(' tcp:5514=team-a, udp:514=team-b ,')).toEqual([
      { protocol: 'tcp', port: 5514, tenantId: 'team-a' },
      { protocol: 'udp', port: 514, tenantId: 'team-b' },
    ]);
    expect(parseSyslogPorts('')).toEqual([]);
    for (const bad of ['tcp:5514', 'sctp:1=a', 'tcp:70000=a', 'tcp:1=Team_A'])
      expect(() => parseSyslogPorts(bad)).toThrow(/expected <tcp\|udp>/);
  });
});
