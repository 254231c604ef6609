// Differential at test time: Debian's Prometheus (installed by the test command) renders the case
// table now, and every rendering must equal ours and the recorded fixture.
import { Engine, MemoryQueryable } from '@strata/promql';
import { engineQueryFunc } from '../query/query-func';
import recorded from './testdata/prometheus-renderings.json';
import { TEMPLATE_CASES } from '../../testing/template-cases';
import {
  type RecordedRenderings,
  recordPrometheusRenderings,
} from '../../testing/record-prometheus';
import { renderCase } from '../../testing/render-case';

jest.setTimeout(120_000);

describe('templates rendered by a running Prometheus', () => {
  let live: RecordedRenderings;
  beforeAll(async () => {
    live = await recordPrometheusRenderings(TEMPLATE_CASES);
  });

  it('renders every case as we do', async () => {
    const query = engineQueryFunc(new Engine(), new MemoryQueryable());
    const mismatches: string[] = [];
    for (const r of live.renderings) {
      const c = TEMPLATE_CASES.find((x) => x.name === r.name)!;
      const ours = await renderCase(c, live, query);
      if (
        ours.out !== r.out ||
        JSON.stringify(sortKeys(ours.labels)) !== JSON.stringify(sortKeys(r.labels))
      ) {
        mismatches.push(
          `${r.name}: prometheus ${JSON.stringify(r.out)} ${JSON.stringify(r.labels)}, ours ${JSON.stringify(ours.out)} ${JSON.stringify(ours.labels)}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('renders as the recorded fixture says, so the fixture is current', () => {
    expect(live.renderings).toEqual(recorded.renderings);
  });
});

function sortKeys(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
