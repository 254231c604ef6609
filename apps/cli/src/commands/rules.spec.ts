import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rulesCheck } from './rules';

describe('strata rules check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-rules-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('passes a valid file and fails one with a bad expression, printing promtool-style problems', () => {
    const out: string[] = [];
    const spy = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((s) => out.push(String(s)) > 0);
    const good = file(
      'good.yml',
      'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n',
    );
    const bad = file(
      'bad.yml',
      'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sum(\n',
    );
    const silenced = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(rulesCheck([good])).toBe(0);
    expect(rulesCheck([good, bad])).toBe(1);
    spy.mockRestore();
    silenced.mockRestore();
    expect(out.join('')).toMatch(/could not parse expression/);
  });
});
