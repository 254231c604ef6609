// Differential against Debian's Prometheus (2.42, built with Prometheus 2's label layout): the
// timestamps it records for groups of one file land on the slots our evalTimestampNs computes
// from the group's hash.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheus } from '@strata/devstack';
import { evalTimestampNs, groupHash, nsToMs } from './eval-timestamp';

jest.setTimeout(120_000);

const INTERVAL_MS = 3000;
const GROUPS = ['alpha', 'beta', 'gamma', 'tenant-a/namespace-b'];

describe('evaluation slots of a running Prometheus', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-eval-slots-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records each group at its hash offset within the interval', async () => {
    const rulesFile = join(dir, 'rules.yml');
    const rules = GROUPS.map(
      (g, i) =>
        `  - name: ${JSON.stringify(g)}\n    interval: ${INTERVAL_MS / 1000}s\n    rules:\n      - record: slot_${i}\n        expr: vector(1)\n`,
    ).join('');
    await writeFile(rulesFile, `groups:\n${rules}`);
    const prom = await startPrometheus({
      dir,
      config: `rule_files: [${JSON.stringify(rulesFile)}]\n`,
      flags: ['--log.level=error'],
    });
    const timestamps = new Map<number, number[]>();
    try {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000));
        for (let i = 0; i < GROUPS.length; i++) {
          const res = (await (
            await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(`slot_${i}[1m]`)}`)
          ).json()) as {
            data: { result: Array<{ values: Array<[number, string]> }> };
          };
          timestamps.set(
            i,
            (res.data.result[0]?.values ?? []).map(([t]) => Math.round(t * 1000)),
          );
        }
        if ([...timestamps.values()].every((ts) => ts.length >= 3)) break;
      }
    } finally {
      await prom.stop();
    }
    const intervalNs = BigInt(INTERVAL_MS) * 1_000_000n;
    const offsets = new Set<number>();
    for (let i = 0; i < GROUPS.length; i++) {
      const seen = timestamps.get(i) ?? [];
      expect(seen.length).toBeGreaterThanOrEqual(3);
      const hash = groupHash(rulesFile, GROUPS[i], 'slicelabels');
      for (const t of seen) {
        // The slot at or before the end of the recorded millisecond must be in that millisecond.
        const slot = evalTimestampNs(BigInt(t) * 1_000_000n + 999_999n, intervalNs, hash);
        expect(nsToMs(slot)).toBe(t);
      }
      offsets.add(seen[0] % INTERVAL_MS);
    }
    // Different groups sit at different points of the interval, so the check above is not vacuous.
    expect(offsets.size).toBeGreaterThan(1);
  });
});
