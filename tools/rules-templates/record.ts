// Records how Debian's Prometheus renders the template cases of libs/rules into the fixture the
// template spec compares with. Run after changing the case table:
//   node -r @swc-node/register tools/rules-templates/record.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordPrometheusRenderings, TEMPLATE_CASES } from '@strata/rules/testing';

const FIXTURE = join(
  __dirname,
  '../../libs/rules/src/template/testdata/prometheus-renderings.json',
);

void (async () => {
  const recorded = await recordPrometheusRenderings(TEMPLATE_CASES);
  writeFileSync(FIXTURE, `${JSON.stringify(recorded, null, 2)}\n`);
  console.log(
    `recorded ${recorded.renderings.length} renderings from prometheus ${recorded.prometheusVersion} into ${FIXTURE}`,
  );
})().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
