import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  PLATFORM_ENV_NAMES,
  PlatformEnv,
  SERVICE_NAMES,
  natsPasswordFile,
  parseTargets,
} from '@strata/contracts';
import { NATS_SERVER, deployNatsAuthConfig, natsPasswordEnvName } from '@strata/devstack';

interface Container {
  name: string;
  args: string[];
  ports: Array<{ name: string; containerPort: number }>;
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  livenessProbe: { httpGet: unknown };
  readinessProbe: { httpGet: unknown };
  resources: { requests: { cpu?: string; memory?: string } };
}

interface Volume {
  name: string;
  secret?: { secretName: string };
  projected?: { sources: Array<{ configMap?: { name: string } }> };
}

/** The fields of the rendered objects these checks read. */
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    replicas: number;
    serviceName: string;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { annotations?: Record<string, string> };
      spec: { containers: Container[]; volumes?: Volume[] };
    };
    volumeClaimTemplates: Array<{ metadata: { name: string } }>;
    ports: Array<{ port: number; targetPort: string }>;
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

function render(overlay: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', join(__dirname, 'overlays', overlay)], {
    encoding: 'utf8',
  });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
}

const component = (o: K8sObject) => o.metadata.labels?.['app.kubernetes.io/component'];
const workloadsOf = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');

/** The environment a container really gets: its own env plus every ConfigMap and Secret it pulls in. */
function containerEnv(container: Container, objects: K8sObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    const found = objects.find((o) => o.kind === kind && o.metadata.name === ref?.name);
    if (!found)
      throw new Error(`${container.name}: envFrom ${kind} ${ref?.name} is not in the overlay`);
    Object.assign(env, found.data ?? {}, found.stringData ?? {});
  }
  for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  return env;
}

/** The Secrets a workload mounts as volumes. */
function mountedSecrets(workload: K8sObject): string[] {
  return (workload.spec.template.spec.volumes ?? []).flatMap((v) =>
    v.secret ? [v.secret.secretName] : [],
  );
}

describe.each(['dev', 'ha'])('kustomize overlay %s', (overlay) => {
  const objects = render(overlay);
  const workloads = workloadsOf(objects);

  it.each([...SERVICE_NAMES])(
    'runs %s as exactly one workload whose config the app accepts',
    (service) => {
      const matching = workloads.filter((w) => component(w) === service);
      expect(matching).toHaveLength(1);
      const [workload] = matching;
      const container = workload.spec.template.spec.containers[0];

      expect(
        parseTargets(
          container.args.find((a) => a.startsWith('--target='))!.slice('--target='.length),
        ),
      ).toEqual([service]);

      const env = containerEnv(container, objects);
      const unknown = Object.keys(env).filter(
        (name) => !(PLATFORM_ENV_NAMES as string[]).includes(name),
      );
      expect(unknown).toEqual([]);
      const config = PlatformEnv.parse(env);

      // Every process serves its own metrics (which name tenants) on the internal listener, and
      // Prometheus finds them through the pod annotations; probes stay where kubernetes asks.
      const internal = container.ports.find((p) => p.name === 'internal');
      expect(internal?.containerPort).toBe(config.HEALTH_PORT);
      expect(workload.spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(config.HEALTH_PORT),
        'prometheus.io/path': '/metrics',
      });
      const probePort = service === 'gateway' ? 'http' : 'internal';
      if (service === 'gateway')
        expect(container.ports.find((p) => p.name === 'http')?.containerPort).toBe(
          config.HTTP_PORT,
        );
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: probePort });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: probePort });
      expect(container.resources.requests.cpu).toBeDefined();
      expect(container.resources.requests.memory).toBeDefined();

      const svc = objects.find(
        (o) => o.kind === 'Service' && o.metadata.name === workload.metadata.name,
      );
      expect(svc?.spec.ports.map((p) => p.targetPort)).toContain(probePort);
      // The gateway's Service is the public one: the metrics port stays off it.
      if (service === 'gateway')
        expect(svc?.spec.ports.map((p) => p.targetPort)).not.toContain('internal');
      expect(svc?.spec.selector).toEqual(workload.spec.selector.matchLabels);
    },
  );

  it('points every service at a NATS and a Postgres that the overlay defines', () => {
    const container = workloads.find((w) => component(w) === 'router')!.spec.template.spec
      .containers[0];
    const config = PlatformEnv.parse(containerEnv(container, objects));
    for (const url of [config.NATS_URL, config.DATABASE_URL]) {
      const { hostname, port } = new URL(url);
      const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === hostname);
      expect(svc?.spec.ports.map((p) => p.port)).toContain(Number(port));
    }
    const nats = workloads.find((w) => component(w) === 'nats')!;
    expect(nats.kind).toBe('StatefulSet');
    expect(nats.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
  });

  it.each([...SERVICE_NAMES])(
    "gives %s its own NATS credentials and no other service's",
    (service) => {
      const workload = workloads.find((w) => component(w) === service)!;
      const container = workload.spec.template.spec.containers[0];
      const config = PlatformEnv.parse(containerEnv(container, objects));
      const natsSecrets = mountedSecrets(workload).filter((name) =>
        name.startsWith('strata-nats-'),
      );
      expect(natsSecrets).toEqual([`strata-nats-${service}`]);
      const volume = workload.spec.template.spec.volumes!.find(
        (v) => v.secret?.secretName === natsSecrets[0],
      )!;
      expect(container.volumeMounts).toContainEqual({
        name: volume.name,
        mountPath: config.NATS_CREDENTIALS_DIR,
        readOnly: true,
      });
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === natsSecrets[0]);
      expect(Object.keys(secret?.stringData ?? {})).toEqual([natsPasswordFile(service)]);
    },
  );

  it("runs nats-server with the generated users and a password from each service's Secret", () => {
    const nats = workloads.find((w) => component(w) === 'nats')!;
    const container = nats.spec.template.spec.containers[0];
    const sources = nats.spec.template.spec
      .volumes!.flatMap((v) => v.projected?.sources ?? [])
      .map((s) => s.configMap?.name);
    const authMap = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('strata-nats-auth'),
    )!;
    expect(sources).toEqual(['strata-nats-config', authMap.metadata.name]);
    expect(authMap.data!['auth.conf']).toBe(deployNatsAuthConfig());
    const natsConf = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'strata-nats-config',
    )!.data!['nats.conf'];
    expect(natsConf).toMatch(/^\s*include \.\/auth\.conf$/m);
    for (const service of SERVICE_NAMES) {
      const env = container.env?.find((e) => e.name === natsPasswordEnvName(service));
      expect({ service, ref: env?.valueFrom?.secretKeyRef }).toEqual({
        service,
        ref: { name: `strata-nats-${service}`, key: natsPasswordFile(service) },
      });
    }
    const passwords = objects
      .filter((o) => o.kind === 'Secret' && o.metadata.name.startsWith('strata-nats-'))
      .flatMap((o) => Object.values(o.stringData ?? {}));
    expect(new Set(passwords).size).toBe(SERVICE_NAMES.length);
  });

  it('renders a NATS config that nats-server accepts', () => {
    const binary = NATS_SERVER.find();
    if (!binary) throw new Error('nats-server is not installed (the test command installs it)');
    const dir = mkdtempSync(join(tmpdir(), 'strata-nats-conf-'));
    try {
      for (const name of ['strata-nats-config', 'strata-nats-auth']) {
        const map = objects.find(
          (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(name),
        )!;
        for (const [file, text] of Object.entries(map.data ?? {}))
          writeFileSync(join(dir, file), text);
      }
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, POD_NAME: 'strata-nats-0' };
      for (const service of SERVICE_NAMES) env[natsPasswordEnvName(service)] = `spec-${service}`;
      const check = spawnSync(binary, ['-t', '-c', join(dir, 'nats.conf')], {
        env,
        encoding: 'utf8',
      });
      expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({
        status: 0,
        output: expect.stringContaining('is valid'),
      });
      expect(readFileSync(join(dir, 'auth.conf'), 'utf8')).toContain('user: "ingester"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps ingester and store state on persistent volumes', () => {
    for (const name of ['ingester', 'store']) {
      const w = workloads.find((x) => component(x) === name)!;
      expect(w.kind).toBe('StatefulSet');
      expect(w.spec.volumeClaimTemplates.map((v) => v.metadata.name)).toContain('data');
    }
  });
});

describe('ha overlay', () => {
  const objects = render('ha');
  const workloads = workloadsOf(objects);

  it('keeps 3 replicas of every JetStream stream and KV bucket, and runs at least 2 ingesters', () => {
    const container = workloads.find((w) => component(w) === 'router')!.spec.template.spec
      .containers[0];
    expect(PlatformEnv.parse(containerEnv(container, objects)).STRATA_JETSTREAM_REPLICAS).toBe(3);
    expect(
      workloads.find((w) => component(w) === 'ingester')!.spec.replicas,
    ).toBeGreaterThanOrEqual(2);
  });

  it('runs a 3-node NATS cluster whose routes name every node', () => {
    const nats = workloads.find((w) => component(w) === 'nats')!;
    expect(nats.spec.replicas).toBe(3);
    const config = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'strata-nats-config',
    )!.data!['nats.conf'];
    for (let i = 0; i < 3; i++)
      expect(config).toContain(`nats://strata-nats-${i}.${nats.spec.serviceName}:6222`);
  });

  it('replicates every service and guards each with a PodDisruptionBudget', () => {
    const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget') as unknown as Array<{
      metadata: { name: string };
      spec: { selector: { matchLabels: Record<string, string> } };
    }>;
    for (const w of workloads.filter(
      (x) => component(x) !== 'postgres' && component(x) !== 'compactor',
    )) {
      expect({ name: w.metadata.name, replicas: w.spec.replicas >= 2 }).toEqual({
        name: w.metadata.name,
        replicas: true,
      });
    }
    for (const w of workloads.filter((x) => component(x) !== 'postgres')) {
      const pdb = pdbs.find(
        (p) => p.spec.selector.matchLabels['app.kubernetes.io/component'] === component(w),
      );
      expect({ workload: w.metadata.name, pdb: pdb?.metadata.name }).toEqual({
        workload: w.metadata.name,
        pdb: w.metadata.name,
      });
    }
  });
});

describe('dev overlay', () => {
  it('runs one replica of each service, and one of each stream on its single nats-server', () => {
    const objects = render('dev');
    for (const w of workloadsOf(objects)) expect(w.spec.replicas).toBe(1);
    const container = workloadsOf(objects).find((w) => component(w) === 'router')!.spec.template
      .spec.containers[0];
    expect(PlatformEnv.parse(containerEnv(container, objects)).STRATA_JETSTREAM_REPLICAS).toBe(1);
  });
});
