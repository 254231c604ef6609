import { type PipelineStats, throughputRates } from '@strata/contracts';
import { render } from '../output';
import { api } from './http';
import { arg, type Command, durationSeconds } from './command';

const DEFAULT_INTERVAL = '2s';

/**
 * `strata pipelines stats <name>`: a pipeline's counters, whole and per sink, and its rates over
 * `--interval` (two readings that far apart; `0s` reads once and shows no rates).
 */
export const PIPELINE_STATS: Command = {
  usage:
    'strata pipelines stats [--tenant t] <name> [--interval 2s]  records in/out, errors and rates',
  async run(ctx) {
    const name = arg(ctx, 0, 'a pipeline name');
    const seconds = durationSeconds(ctx.flags.interval ?? DEFAULT_INTERVAL);
    const target = await ctx.target();
    const path = `/api/v1/logs/pipelines/${encodeURIComponent(name)}/stats`;
    let before: PipelineStats | null = null;
    if (seconds > 0) {
      before = (await api<PipelineStats>(target, path)).body;
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
    const last = (await api<PipelineStats>(target, path)).body;
    const rates = before ? throughputRates(before, last) : null;
    const t = last.totals;
    const rows = [
      {
        component: 'pipeline',
        ...t,
        rates,
      },
      ...Object.entries(t.sinks).map(([id, s]) => ({
        component: `sink ${id}`,
        ...s,
        receivedBytes: undefined,
        rates: null,
      })),
    ];
    const rate = (n: number | undefined) => (n === undefined ? undefined : n.toFixed(1));
    ctx.print(
      render(ctx.output, { ...last, rates }, rows, [
        ['COMPONENT', (r) => r.component],
        ['IN', (r) => r.receivedEvents],
        ['BYTES_IN', (r) => r.receivedBytes],
        ['SENT', (r) => r.sentEvents],
        ['DEAD', (r) => r.deadEvents],
        ['FAILED_SENDS', (r) => r.failedSends],
        ['IN/S', (r) => rate(r.rates?.inPerSecond)],
        ['OUT/S', (r) => rate(r.rates?.outPerSecond)],
        ['ERRORS/S', (r) => rate(r.rates?.errorsPerSecond)],
      ]),
    );
    return 0;
  },
};
