// Differential against Debian's real promtool: our evaluator, driven by the project's PromQL engine
// over the scenario's input series, answers every alert and expression check; the answers become
// the expectations of a `promtool test rules` file, and promtool passing it means Prometheus'
// rule manager produced the same alerts (labels, annotations) and stored the same series
// (recorded values, ALERTS, ALERTS_FOR_STATE, staleness markers).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UNIT_SCENARIO } from '../../testing/unit-scenario';
import { type UnitAnswers, answerScenario, promtoolTestFile } from '../../testing/promtool-unit';

jest.setTimeout(120_000);
const run = promisify(execFile);

async function promtoolTest(
  dir: string,
  answers: UnitAnswers,
): Promise<{ exitCode: number; output: string }> {
  await writeFile(join(dir, UNIT_SCENARIO.ruleFileName), UNIT_SCENARIO.ruleFile);
  await writeFile(join(dir, 'test.yml'), promtoolTestFile(UNIT_SCENARIO, answers));
  try {
    const { stdout, stderr } = await run('promtool', ['test', 'rules', 'test.yml'], { cwd: dir });
    return { exitCode: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== 'number') throw e;
    return { exitCode: err.code, output: (err.stdout ?? '') + (err.stderr ?? '') };
  }
}

describe('rule evaluation against promtool test rules', () => {
  let dir: string;
  let answers: UnitAnswers;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-promtool-unit-'));
    answers = await answerScenario(UNIT_SCENARIO);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes promtool with our alerts and stored series as the expectations', async () => {
    const result = await promtoolTest(dir, answers);
    expect(result.output).toContain('SUCCESS');
    expect(result.exitCode).toBe(0);
  });

  it('covers firing, pending, kept-firing and resolved alerts, so a pass says something', () => {
    const firing = (name: string, t: number): number =>
      answers.alerts.find((a) => a.alertname === name && a.evalTimeMs === t * 60_000)?.alerts
        .length ?? -1;
    expect(firing('HighRate', 2)).toBe(0);
    expect(firing('HighRate', 12)).toBeGreaterThan(0);
    expect(firing('Flappy', 4)).toBe(1);
    expect(firing('Flappy', 10)).toBe(0);
    expect(firing('Gone', 5)).toBe(0);
    expect(firing('Gone', 6)).toBe(1);
    const gone = answers.exprs.filter((e) => e.expr === 'gone:copy').map((e) => e.samples.length);
    expect(gone).toEqual([1, 0, 0]);
  });

  it('fails promtool when one annotation differs', async () => {
    const changed = structuredClone(answers);
    const check = changed.alerts.find((a) => a.alertname === 'HighRate' && a.alerts.length > 0)!;
    check.alerts[0].annotations.summary += ' (changed)';
    const result = await promtoolTest(dir, changed);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('alertname: HighRate');
  });

  it('fails promtool when one stored value differs', async () => {
    const changed = structuredClone(answers);
    const check = changed.exprs.find((e) => e.expr === 'ALERTS_FOR_STATE' && e.samples.length > 0)!;
    check.samples[0].value += 60;
    const result = await promtoolTest(dir, changed);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('ALERTS_FOR_STATE');
  });
});
