import { isPrivateAddress, literalAddressOf } from './private-address';

describe('private addresses', () => {
  it('flags loopback, private, link-local, shared and mapped addresses, and passes public ones', () => {
    for (const ip of [
      '127.0.0.1',
      '10.0.0.8',
      '172.31.255.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.1.1.1',
    ])
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, true]);
    for (const ip of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:1.1.1.1'])
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, false]);
  });

  it('reads an IP host out of a URL, IPv6 brackets removed, and nothing out of a name', () => {
    expect(literalAddressOf(new URL('http://[::1]:8080/x'))).toBe('::1');
    expect(literalAddressOf(new URL('https://10.0.0.1/x'))).toBe('10.0.0.1');
    expect(literalAddressOf(new URL('https://hooks.example.com/x'))).toBeNull();
  });
});
