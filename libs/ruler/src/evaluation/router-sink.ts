import { type BusClient } from '@strata/bus';
import { Subjects } from '@strata/contracts';
import { type EncodableSeries, encodeSamplesV1 } from '@strata/remote-write';
import { type OutputSample, type SampleSink } from '@strata/rules';

/**
 * Writes a rule's results as a remote write through the router (`Subjects.routerWriteBinary`) in
 * the tenant's name, so the tenant's limits apply as to any write; a refusal fails the rule.
 */
export class RouterSink implements SampleSink {
  constructor(
    private readonly client: BusClient,
    private readonly tenantId: string,
    private readonly timeoutMs: number,
    private readonly onWritten: (samples: number) => void = () => undefined,
  ) {}

  async append(samples: readonly OutputSample[]): Promise<void> {
    if (samples.length === 0) return;
    const series: EncodableSeries[] = samples.map((s) => ({
      labels: s.labels.names.map((name, i) => ({ name, value: s.labels.values[i] })),
      samples: [{ timestamp: s.t, value: s.value, stale: s.stale === true }],
    }));
    const body = encodeSamplesV1(series);
    const written = await this.client.askBinary(
      Subjects.routerWriteBinary,
      body,
      {
        tenantId: this.tenantId,
        contentType: 'application/x-protobuf',
        contentEncoding: 'snappy',
        protocolVersion: '0.1.0',
      },
      { timeoutMs: this.timeoutMs },
    );
    this.onWritten(written.samples);
    if (written.refused)
      throw new Error(
        `the router refused ${written.refused.samples} samples: ${written.refused.message}`,
      );
  }
}
