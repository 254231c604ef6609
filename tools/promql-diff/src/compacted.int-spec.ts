// Compaction is invisible: the week of promtool's 2 h blocks, compacted by the compactor across
// every level (8 h, 2 d, 14 d) and downsampled to 5 m, then served by a store gateway behind the
// query service and the gateway's Prometheus API, answers with `max_source_resolution=0s` exactly
// as Debian's Prometheus answers on the raw 2 h blocks, query by query over ranges spanning the week.
import { type ChildProcess, execFile } from 'node:child_process';
import { cp, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listTenantBlocks, uploadBlock } from '@strata/blocks';
import { type NatsBus } from '@strata/bus';
import { runTenantCycle } from '@strata/compactor';
import {
  type RunningNatsServer,
  type RunningPrometheus,
  startPrometheus,
  which,
} from '@strata/devstack';
import { type RunningGateway } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import { FilesystemBucket } from '@strata/objstore';
import { queryService } from '@strata/query';
import { type RunningServices } from '@strata/service-kit';
import {
  ADMIN_TOKEN,
  OPEN_QUOTA,
  clientBus,
  fakeControlPlane,
  removeTestDirs,
  spawnStrata,
  startInProcess,
  startTestGateway,
  startTestNats,
  stopChild,
  strataEnv,
} from '@strata/platform/testing';
import { type ApiResponse, apiGet, diffResponses } from './compare';
import { type DiffQuery } from './queries';
import {
  WEEK_END,
  WEEK_INSTANTS,
  WEEK_QUERIES,
  WEEK_RANGES,
  WEEK_T0,
  writeWeekOpenMetrics,
} from './week-dataset';
import { DIFF_INGESTER_ENV } from './strata-server';

const run = promisify(execFile);
const TENANT = 'compacted';
const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-scope-orgid': TENANT };
const secs = (ms: number): string => String(ms / 1000);
const H = 3_600_000;
const D = 24 * H;
const RAW = { max_source_resolution: '0s' };

jest.setTimeout(300_000);

(which('promtool') && which('prometheus') ? describe : describe.skip)(
  'compaction is invisible: the week compacted into 8 h, 2 d and 14 d blocks and downsampled, read raw, vs Prometheus on the 2 h blocks',
  () => {
    let nats: RunningNatsServer;
    let bus: NatsBus;
    let store: ChildProcess;
    let services: RunningServices;
    let gateway: RunningGateway;
    let prometheus: RunningPrometheus;
    let dir: string;
    const levels = new Set<number>();
    const resolutions = new Set<number>();
    let rawBlocks = 0;
    const tally = { comparisons: 0, equal: 0 };

    beforeAll(async () => {
      const started = await startTestNats();
      nats = started.server;
      dir = started.dir;
      const om = join(dir, 'week.om');
      await writeWeekOpenMetrics(om);
      const promtoolOut = join(dir, 'promtool');
      await run('promtool', [
        'tsdb',
        'create-blocks-from',
        'openmetrics',
        '--max-block-duration=2h',
        om,
        promtoolOut,
      ]);
      const ulids = (await readdir(promtoolOut)).filter((d) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(d));
      rawBlocks = ulids.length;
      await mkdir(join(dir, 'prometheus'));
      await cp(promtoolOut, join(dir, 'prometheus/prom'), { recursive: true });

      const bucketUrl = join(dir, 'bucket');
      const bucket = new FilesystemBucket(bucketUrl);
      for (const u of ulids) await uploadBlock(bucket, TENANT, join(promtoolOut, u));
      // Cycles as the compactor runs them, a day after the week, until nothing is left to do;
      // marked sources are deleted, so the store reads only what compaction made.
      const settings = {
        ranges: [2 * H, 8 * H, 2 * D, 14 * D],
        deleteDelayMs: 0,
        partialUploadAgeMs: H,
        replicaLabels: new Set<string>(),
        dedupFunc: 'one-of' as const,
        workDir: join(dir, 'compactor'),
        downsample: { enabled: true, span5mMs: 40 * H, span1hMs: 10 * D },
      };
      const keep = { rawSeconds: 0, fiveMinutesSeconds: 0, oneHourSeconds: 0 };
      for (let i = 0; i < 5; i++) {
        const r = await runTenantCycle(bucket, TENANT, settings, keep, {
          now: () => WEEK_END + D + i,
        });
        if (r.halted !== undefined) throw new Error(`compaction halted: ${r.halted}`);
      }
      const listing = await listTenantBlocks(bucket, TENANT);
      expect(listing.markedForDeletion).toEqual([]);
      for (const b of listing.blocks) {
        levels.add(b.meta.compaction.level);
        resolutions.add(b.meta.thanos?.downsample.resolution ?? 0);
      }
      await bucket.close();

      bus = await clientBus(nats);
      fakeControlPlane(bus, new Map([[TENANT, OPEN_QUOTA]]));
      const env = strataEnv(nats, join(dir, 'data'), {
        ...DIFF_INGESTER_ENV,
        STRATA_BUCKET_URL: bucketUrl,
        STRATA_STORE_SYNC_INTERVAL_SECONDS: '1',
      });
      [store, services, prometheus] = await Promise.all([
        spawnStrata(
          'store',
          { ...env, STRATA_DATA_DIR: join(dir, 'store-data') },
          join(dir, 'store.log'),
        ),
        startInProcess(env, [ingesterService, queryService]),
        startPrometheus({
          dir: join(dir, 'prometheus'),
          flags: ['--storage.tsdb.retention.time=30d', '--log.level=warn'],
        }),
      ]);
      gateway = await startTestGateway(bus);

      const probe = {
        query: 'count(count_over_time(http_requests_total[1h]))',
        time: secs(WEEK_T0 + 3_600_000),
        ...RAW,
      };
      const deadline = Date.now() + 60_000;
      let last = '';
      for (;;) {
        const r = await apiGet(gateway.url, '/api/v1/query', probe, headers).catch(
          (e: Error) => ({ status: 0, body: { status: 'error', error: e.message } }) as ApiResponse,
        );
        last = JSON.stringify(r.body).slice(0, 300);
        if (JSON.stringify(r.body.data?.result ?? []).includes('"16"')) break;
        if (Date.now() > deadline)
          throw new Error(`the store did not serve the compacted blocks within 60 s: ${last}`);
        await new Promise((r2) => setTimeout(r2, 250));
      }
    }, 300_000);

    afterAll(async () => {
      console.log(
        `compacted differential: ${tally.equal}/${tally.comparisons} comparisons equal over ${WEEK_QUERIES.length} queries; ` +
          `${rawBlocks} raw 2 h blocks became levels ${[...levels].sort().join(',')} at resolutions ${[...resolutions].sort().join(',')}`,
      );
      await gateway?.close();
      await services?.stop();
      if (store) await stopChild(store);
      await prometheus?.stop();
      await bus?.drain();
      await nats?.process.stop();
      removeTestDirs();
    });

    it('holds blocks of several levels and a downsampled resolution, not the 2 h blocks', () => {
      expect(rawBlocks).toBeGreaterThanOrEqual(84);
      // 8 h blocks (level 2) at the week's newer end, a 14 d window's block (2 d blocks merged) before.
      expect(levels.has(2)).toBe(true);
      expect(Math.max(...levels)).toBeGreaterThanOrEqual(4);
      expect(resolutions.has(300_000)).toBe(true);
    });

    it.each(WEEK_QUERIES.map((d) => [d.query, d] as [string, DiffQuery]))(
      '%s',
      async (_name, d) => {
        const calls: Array<[string, Record<string, string>, boolean]> = WEEK_INSTANTS.map((t) => [
          '/api/v1/query',
          { query: d.query, time: secs(t), ...RAW },
          d.ordered ?? false,
        ]);
        if (d.range !== false && !d.oddStepGap)
          for (const r of WEEK_RANGES)
            calls.push([
              '/api/v1/query_range',
              {
                query: d.query,
                start: secs(r.startMs),
                end: secs(r.endMs),
                step: secs(r.stepMs),
                ...RAW,
              },
              false,
            ]);
        const problems: string[] = [];
        for (const [path, params, ordered] of calls) {
          const [p, s] = await Promise.all([
            apiGet(prometheus.url, path, params),
            apiGet(gateway.url, path, params, headers),
          ]);
          tally.comparisons++;
          const diff =
            p.status === 200
              ? diffResponses(p, s, ordered)
              : `Prometheus answered ${p.status}: ${p.body.error ?? ''}`;
          if (diff === null) tally.equal++;
          else problems.push(`${path} ${params.time ?? `step ${params.step}`}: ${diff}`);
        }
        expect(problems).toEqual([]);
      },
    );
  },
);
