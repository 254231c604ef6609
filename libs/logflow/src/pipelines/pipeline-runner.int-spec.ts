import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { connectBus, type KvBucket, type NatsBus } from '@strata/bus';
import { LogsStreams, LogsSubjects, PipelineSpec, type PipelineSpecInput } from '@strata/contracts';
import { createMetricsRegistry, StrataMetrics } from '@strata/service-kit';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { logBatch, logRecord, publishLogBatch } from '../../testing/publish-log-batch';
import { SinkServer } from '../../testing/sink-server';
import { LogflowMetrics } from '../logflow-metrics';
import { PipelineThroughputCounters } from '../stats/pipeline-throughput.counters';
import { pipelineConsumerName, PipelineRunner } from './pipeline-runner';

jest.setTimeout(60_000);

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PipelineRunner: a pipeline that merges across batches, taking them in order', () => {
  let bus: NatsBus;
  let raw: NatsConnection;
  let kv: KvBucket;
  let sinks: SinkServer;
  let fileRoot: string;
  const runners: PipelineRunner[] = [];

  beforeAll(async () => {
    const login = testNatsLogin('admin');
    bus = await connectBus({ url: testServices().natsUrl, ...login, name: 'runner-spec' });
    // A second client of the pipeline's durable, to leave it as a stopped consumer can.
    raw = await connect({
      servers: testServices().natsUrl,
      user: login.user,
      pass: login.password,
      inboxPrefix: login.inboxPrefix,
      name: 'runner-spec-peer',
    });
    await bus.ensureStream({ ...LogsStreams.batches, subjects: [...LogsStreams.batches.subjects] });
    kv = await bus.openKv(uniqueName('logflow-state'));
    sinks = await SinkServer.start();
    fileRoot = mkdtempSync(join(tmpdir(), 'runner-spec-'));
  });

  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    await sinks?.stop();
    await raw?.drain();
    await bus?.drain();
    if (fileRoot) rmSync(fileRoot, { recursive: true, force: true });
  });

  it('sends on a batch that comes back after later ones were taken (its delivery lost as a consumer stopped), instead of skipping it', async () => {
    const tenantId = uniqueName('t').replace('_', '-');
    const input: PipelineSpecInput = {
      name: 'late',
      transforms: {
        ml: { type: 'multiline', inputs: ['source'], preset: 'java', timeout_ms: 30_000 },
      },
      sinks: { out: { type: 'http', inputs: ['ml'], url: `${sinks.url}/late` } },
    };
    const durable = pipelineConsumerName(tenantId, 'late');
    const stream = LogsStreams.batches.name;
    const jsm = await jetstreamManager(raw);
    // The pipeline's durable as an earlier consumer of it left it: batch A was sent to it and is
    // still waiting out its ack wait (lost on the way as it stopped); B and C were handed back.
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(60_000),
      filter_subject: LogsSubjects.batches(tenantId),
      deliver_policy: DeliverPolicy.All,
    });
    const send = (lines: string[]) =>
      publishLogBatch(
        bus,
        logBatch(
          tenantId,
          lines.map((l) => logRecord(l, { pod: 'p' })),
        ),
      );
    await send(['plain a-1', 'java.lang.IllegalStateException: a-2']);
    await send(['plain b-1', 'java.lang.IllegalStateException: b-2']);
    await send(['\tat B.run(B.java:1) c-1', 'plain c-2']);
    const taken = await (
      await jetstream(raw).consumers.get(stream, durable)
    ).fetch({ max_messages: 3, expires: 5_000 });
    const sent: JsMsg[] = [];
    for await (const m of taken) {
      sent.push(m);
      if (sent.length === 3) break;
    }
    const [a, b, c] = sent;
    b.nak();
    c.nak();

    const runner = new PipelineRunner(
      {
        tenantId,
        pipeline: PipelineSpec.parse(input),
        version: 1,
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      },
      {
        bus,
        metrics: new LogflowMetrics(
          new StrataMetrics(createMetricsRegistry()),
          new PipelineThroughputCounters(),
        ),
        env: { fileRoot },
        concurrency: 4,
        secrets: null,
        state: kv,
      },
    );
    runners.push(runner);
    await runner.start();
    const delivered = () =>
      sinks.http.filter((r) => String(r.line).match(/[abc]-\d/)).map((r) => String(r.line));
    // B and C come first, in order: B's open trace continues in C.
    await until(() => delivered().includes('plain c-2'));
    expect(delivered()).toEqual([
      'plain b-1',
      'java.lang.IllegalStateException: b-2\n\tat B.run(B.java:1) c-1',
      'plain c-2',
    ]);
    // A's ack wait passes (sped up here): it comes back behind C and still reaches the sink, on
    // its own, without joining anything B or C left.
    a.nak();
    await until(() => delivered().length === 5);
    expect(delivered().slice(3)).toEqual(['plain a-1', 'java.lang.IllegalStateException: a-2']);
    // Acknowledged once sent on.
    await until(async () => (await bus.consumerBacklog(stream, durable)) === 0);
  });
});
