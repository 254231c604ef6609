import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS, type Bus, BusClient, KV, type KvProvider, type Stoppable } from '@strata/bus';
import {
  KvBuckets,
  LogflowStreams,
  LogsStreams,
  type Page,
  type PipelineView,
  type RelayedEvent,
  Streams,
  Subjects,
} from '@strata/contracts';
import { InjectPlatformConfig, type PlatformConfig, secretKeyringFrom } from '@strata/service-kit';
import { LogflowMetrics } from '../logflow-metrics';
import { pipelineConsumerName, PipelineRunner, type RunnerDeps } from './pipeline-runner';

const SYNC_RETRY_MS = 2_000;

const key = (tenantId: string, name: string) => `${tenantId}/${name}`;

/**
 * Keeps one {@link PipelineRunner} per pipeline of every live tenant: read whole from the control
 * plane at start and after any gap in its events, then changed by `PipelineConfigured`,
 * `PipelineDeleted` and `TenantDeleted` as they are relayed. Changes apply one at a time.
 */
@Injectable()
export class PipelineRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Logflow');
  private readonly runners = new Map<string, PipelineRunner>();
  private readonly client: BusClient;
  private readonly deps: Omit<RunnerDeps, 'state'>;
  private state: RunnerDeps['state'] | null = null;
  private following: Stoppable | null = null;
  private work: Promise<void> = Promise.resolve();
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KV) private readonly kv: KvProvider,
    @InjectPlatformConfig() config: PlatformConfig,
    metrics: LogflowMetrics,
  ) {
    this.client = new BusClient(bus);
    this.deps = {
      bus,
      metrics,
      concurrency: config.STRATA_LOGFLOW_CONCURRENCY,
      secrets: secretKeyringFrom(config),
      env: {
        fileRoot: config.STRATA_LOGFLOW_FILE_ROOT || join(config.STRATA_DATA_DIR, 'logflow-files'),
      },
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.state = await this.kv.openKv(KvBuckets.logflowState, {
      history: 1,
      storage: 'file',
    });
    await this.bus.ensureStream({
      ...LogsStreams.batches,
      subjects: [...LogsStreams.batches.subjects],
    });
    await this.bus.ensureStream({
      ...LogflowStreams.deadLetters,
      subjects: [...LogflowStreams.deadLetters.subjects],
      storage: 'file',
    });
    this.following = this.bus.follow(
      Streams.controlEvents.name,
      (m) => this.serially(() => this.apply(m.json<RelayedEvent>())),
      { onGap: () => this.serially(() => this.sync()) },
    );
    this.serially(() => this.sync());
    await this.work;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.following?.stop();
    await this.work;
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
  }

  /** The pipelines running now, by `<tenant>/<name>`, with their versions. */
  running(): Map<string, PipelineRunner> {
    return this.runners;
  }

  /** Resolves once every change queued so far has been applied. */
  settled(): Promise<void> {
    return this.work;
  }

  private serially(task: () => Promise<void>): void {
    this.work = this.work.then(async () => {
      if (this.stopped) return;
      try {
        await task();
      } catch (error) {
        this.log.warn(`applying pipeline changes failed: ${String(error)}`);
      }
    });
  }

  /** Reads every pipeline; until the control plane answers, tries again every few seconds. */
  private async sync(): Promise<void> {
    try {
      await this.syncOnce();
    } catch (error) {
      this.log.warn(`reading pipelines failed, will retry: ${String(error)}`);
      this.retry ??= setTimeout(() => {
        this.retry = null;
        this.serially(() => this.sync());
      }, SYNC_RETRY_MS);
    }
  }

  private async syncOnce(): Promise<void> {
    const views: PipelineView[] = [];
    let cursor: string | undefined;
    do {
      const page = (await this.client.ask(Subjects.controlQuery, {
        query: { type: 'ListPipelines', cursor, limit: 1000 },
        requestId: 'logflow-sync',
      })) as Page<PipelineView>;
      views.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const wanted = new Set(views.map((v) => key(v.tenantId, v.pipeline.name)));
    for (const [k, runner] of this.runners)
      if (!wanted.has(k)) await this.remove(runner.view.tenantId, runner.view.pipeline.name);
    for (const view of views) await this.upsert(view);
    this.log.log(`${this.runners.size} pipelines running`);
  }

  /** Only pipeline events and tenant deletions change which pipelines run; the rest is ignored. */
  private async apply(event: RelayedEvent): Promise<void> {
    if (event.type === 'PipelineConfigured') {
      const data = event.data as Extract<RelayedEvent['data'], { pipeline: unknown }>;
      await this.upsert({
        tenantId: data.tenantId,
        pipeline: data.pipeline,
        version: event.version,
        createdAt: event.recordedAt,
        updatedAt: event.recordedAt,
      });
    } else if (event.type === 'PipelineDeleted') {
      const data = event.data as { tenantId: string; name: string };
      await this.remove(data.tenantId, data.name);
    } else if (event.type === 'TenantDeleted') {
      const { tenantId } = event.data as { tenantId: string };
      for (const runner of [...this.runners.values()])
        if (runner.view.tenantId === tenantId)
          await this.remove(tenantId, runner.view.pipeline.name);
    }
  }

  private async upsert(view: PipelineView): Promise<void> {
    const k = key(view.tenantId, view.pipeline.name);
    const runner = this.runners.get(k);
    if (runner) {
      if (view.version > runner.view.version) runner.reload(view);
      return;
    }
    try {
      if (!this.state) throw new Error('not started');
      const started = new PipelineRunner(view, { ...this.deps, state: this.state });
      await started.start();
      this.runners.set(k, started);
      this.log.log(`pipeline ${k} version ${view.version} started`);
    } catch (error) {
      this.log.error(`pipeline ${k} cannot run: ${String(error)}`);
    }
  }

  private async remove(tenantId: string, name: string): Promise<void> {
    const k = key(tenantId, name);
    const runner = this.runners.get(k);
    if (!runner) return;
    this.runners.delete(k);
    await runner.stop();
    // Stale totals would only make a new pipeline of this name start above 0.
    await runner
      .forgetState()
      .catch((error: unknown) => this.log.warn(`forgetting ${k}'s state: ${String(error)}`));
    const durable = pipelineConsumerName(tenantId, name);
    await this.bus.removeConsumers(LogsStreams.batches.name, (n) => n === durable);
    this.log.log(`pipeline ${k} removed`);
  }
}
