import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { controlPlaneService } from '@strata/control-plane';
import { freePort, type RunningNatsServer } from '@strata/devstack';
import { gatewayService } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import {
  eventually,
  killHard,
  push,
  removeTestDirs,
  spawnStrata,
  startInProcess,
  startTestNats,
  stopChild,
  strataEnv,
} from '@strata/platform/testing';
import { queryService } from '@strata/query';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import { storeService } from '@strata/store';
import { freshDatabase, type FreshDatabase } from '@strata/testing';

jest.setTimeout(420_000);

const TOKEN = 'ruler-proc-admin-token-0123456';
const LEASE_TTL_MS = 3000;
const DRILL_INTERVAL_MS = 6000;
const GROUPS = Array.from({ length: 20 }, (_, i) => `g${String(i).padStart(2, '0')}`);
const BETA_GROUPS = ['b0', 'b1', 'b2', 'b3'];
const HOLD_MS = 20_000;

interface Ruler {
  child: ChildProcess;
  metrics: string;
}

/** A counter or gauge of a ruler's /metrics by `rule_group`, or the unlabelled value. */
async function scrape(ruler: Ruler, name: string): Promise<Map<string, number>> {
  const text = await (await fetch(ruler.metrics)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`strata_${name}`)) continue;
    const m = /^\S+?(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const group = /rule_group="([^"]*)"/.exec(m[1] ?? '')?.[1] ?? '';
    out.set(group, Number(m[2]));
  }
  return out;
}

/**
 * Ruler processes (`apps/strata --target=ruler`) against an in-process platform: a firing alert
 * keeps its `activeAt` across a restart (restored from `ALERTS_FOR_STATE`), and two replicas
 * share 20 groups, each evaluated by exactly one of them once per interval, the survivor taking
 * a `kill -9`ed replica's groups over within the bound the leases give.
 */
describe('ruler processes', () => {
  let nats: RunningNatsServer;
  let db: FreshDatabase;
  let platform: RunningServices;
  let dir = '';
  let gateway = '';
  let feeding: NodeJS.Timeout;
  const rulers: Ruler[] = [];
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${gateway}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'x-scope-orgid': 'acme',
        ...(init.headers as Record<string, string>),
      },
    });
  const upload = async (namespace: string, yaml: string, tenant = 'acme') => {
    const res = await api(`/prometheus/config/v1/rules/${namespace}`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', 'x-scope-orgid': tenant },
      body: yaml,
    });
    expect(res.status).toBe(202);
  };
  /** Raw samples of `selector` over the last `seconds`, by the value of `label`. */
  const raw = async (selector: string, seconds: number, label: string, tenant = 'acme') => {
    const res = (await (
      await api(`/api/v1/query?${new URLSearchParams({ query: `${selector}[${seconds}s]` })}`, {
        headers: { 'x-scope-orgid': tenant },
      })
    ).json()) as {
      data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
    };
    return new Map(
      res.data.result.map((s) => [
        s.metric[label] ?? '',
        s.values.map(([t]) => Math.round(t * 1000)),
      ]),
    );
  };
  const startRuler = async (name: string, env: Record<string, string> = {}): Promise<Ruler> => {
    const port = await freePort();
    const child = await spawnStrata(
      'ruler',
      strataEnv(nats, join(dir, name), {
        HEALTH_PORT: String(port),
        STRATA_RULER_POLL_INTERVAL_SECONDS: '1',
        STRATA_RULER_LEASE_TTL_SECONDS: String(LEASE_TTL_MS / 1000),
        // Below the alert's `for`, so that restoring applies to it as to a `for: 5m` with defaults.
        STRATA_RULER_FOR_GRACE_PERIOD: '5s',
        ...env,
      }),
      join(dir, `${name}.log`),
    );
    const ruler = { child, metrics: `http://127.0.0.1:${port}/metrics` };
    rulers.push(ruler);
    await eventually(
      async () => ((await scrape(ruler, 'ruler_groups_owned')).size > 0 ? true : undefined),
      120_000,
      `ruler ${name} up`,
    );
    return ruler;
  };

  beforeAll(async () => {
    db = await freshDatabase('ruler_processes');
    const started = await startTestNats();
    nats = started.server;
    dir = started.dir;
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    platform = await startInProcess(
      strataEnv(nats, join(dir, 'data'), {
        DATABASE_URL: db.url,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        STRATA_ADMIN_TOKEN: TOKEN,
      }),
      [
        gatewayService,
        controlPlaneService,
        routerService,
        ingesterService,
        storeService,
        queryService,
      ],
    );
    for (const [tenantId, displayName] of [
      ['acme', 'Acme'],
      ['beta', 'Beta'],
    ]) {
      const created = await api('/api/v1/admin/tenants', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId, displayName }),
      });
      expect(created.status).toBe(201);
    }
    const feed = () => push(gateway, TOKEN, 'acme', 'stuck_value', { a: 9 }).catch(() => undefined);
    await feed();
    feeding = setInterval(() => void feed(), 1000);
  });

  afterAll(async () => {
    clearInterval(feeding);
    for (const r of rulers) await killHard(r.child);
    await platform?.stop();
    await nats?.process.stop();
    await db?.drop();
    removeTestDirs();
  });

  it('keeps a firing alert firing across a restart, with its activeAt', async () => {
    await upload(
      'ops',
      'name: restart\ninterval: 2s\nrules:\n  - alert: Stuck\n    expr: stuck_value > 5\n    for: 20s\n',
    );
    const first = await startRuler('first');
    const firing = async () => {
      const body = (await (await api('/api/v1/alerts')).json()) as {
        data: { alerts: Array<{ state: string; activeAt: string }> };
      };
      const a = body.data.alerts.find((x) => x.state === 'firing');
      return a ? Date.parse(a.activeAt) : undefined;
    };
    const activeAt = await eventually(firing, 120_000, 'the alert firing');
    await stopChild(first.child);
    const restartedAt = Date.now();
    await startRuler('second');
    // ALERTS_FOR_STATE holds whole seconds, as Prometheus writes it.
    const restored = Math.trunc(activeAt / 1000) * 1000;
    const after = await eventually(
      async () => {
        const t = await firing();
        const written = await raw(
          'ALERTS{alertname="Stuck",alertstate="firing"}',
          120,
          'alertname',
        );
        return t !== undefined && (written.get('Stuck') ?? []).some((x) => x > restartedAt)
          ? t
          : undefined;
      },
      120_000,
      'the alert firing after the restart',
    );
    // A fresh start would make it pending again with an activeAt after the restart.
    expect(after).toBe(restored);
    const pending = await raw('ALERTS{alertname="Stuck",alertstate="pending"}', 300, 'alertname');
    expect((pending.get('Stuck') ?? []).filter((t) => t > restartedAt)).toEqual([]);
    const gone = await api('/prometheus/config/v1/rules/ops/restart', { method: 'DELETE' });
    expect(gone.status).toBe(202);
  });

  it('shares 20 groups over two replicas, once each per interval, and the survivor takes all', async () => {
    for (const g of GROUPS)
      await upload(
        'drill',
        `name: ${g}\ninterval: ${DRILL_INTERVAL_MS / 1000}s\nrules:\n  - record: drill_eval\n    expr: vector(1)\n    labels:\n      group: ${g}\n`,
      );
    const [a] = rulers.slice(-1);
    const b = await startRuler('third');
    const owned = async (r: Ruler) => (await scrape(r, 'ruler_groups_owned')).get('') ?? 0;
    await eventually(
      async () => {
        const [na, nb] = await Promise.all([owned(a), owned(b)]);
        return na > 0 && nb > 0 && na + nb === GROUPS.length ? true : undefined;
      },
      120_000,
      'both replicas owning groups',
    );
    const counts = () => Promise.all([a, b].map((r) => scrape(r, 'ruler_group_evaluations_total')));
    const key = (g: string) => `drill;${g}`;
    const before = await counts();
    const windowStart = Date.now();
    await eventually(
      async () => (Date.now() - windowStart >= 4 * DRILL_INTERVAL_MS ? true : undefined),
      60_000,
      'four intervals',
    );
    const after = await counts();
    const ofA: string[] = [];
    for (const g of GROUPS) {
      const [da, db_] = [0, 1].map(
        (i) => (after[i].get(key(g)) ?? 0) - (before[i].get(key(g)) ?? 0),
      );
      // Exactly one replica evaluated the group, once per slot of the window (its edges may cut
      // one slot either way).
      expect({ g, both: da > 0 && db_ > 0 }).toEqual({ g, both: false });
      expect(da + db_).toBeGreaterThanOrEqual(3);
      expect(da + db_).toBeLessThanOrEqual(5);
      if (da > 0) ofA.push(g);
    }
    expect(ofA.length).toBeGreaterThan(0);
    expect(ofA.length).toBeLessThan(GROUPS.length);

    await killHard(a.child);
    const killedAt = Date.now();
    await eventually(
      async () => ((await owned(b)) === GROUPS.length ? true : undefined),
      120_000,
      'the survivor owning every group',
    );
    const slots = await eventually(
      async () => {
        const m = await raw('drill_eval', 120, 'group');
        return ofA.every((g) => (m.get(g) ?? []).some((t) => t > killedAt)) ? m : undefined;
      },
      120_000,
      'the survivor evaluating the groups it took over',
    );
    // The dead replica's member key and leases expire one TTL after its last renewal (at most
    // `killedAt`); the survivor's next round (every TTL/3) then leases the group, and the group
    // runs at its next slot, at most one interval later.
    const bound = LEASE_TTL_MS + LEASE_TTL_MS / 3 + DRILL_INTERVAL_MS;
    const takeovers = ofA.map((g) => (slots.get(g) ?? []).find((t) => t > killedAt)! - killedAt);
    process.stdout.write(
      `ruler takeover after kill -9: ${takeovers.join(', ')} ms (bound ${bound} ms)\n`,
    );
    for (const d of takeovers) expect(d).toBeLessThanOrEqual(bound);
    for (const g of GROUPS) {
      const ts = (slots.get(g) ?? []).filter((t) => t > killedAt);
      // From then on one evaluation per slot: consecutive samples exactly one interval apart.
      for (let i = 1; i < ts.length; i++) expect(ts[i] - ts[i - 1]).toBe(DRILL_INTERVAL_MS);
    }
  });

  it("evaluates a dedicated tenant's groups on its own replica only, holds them while it is down, then lets the shared one take them", async () => {
    const [shared] = rulers.slice(-1);
    for (const g of BETA_GROUPS)
      await upload(
        'dedicated',
        `name: ${g}\ninterval: ${DRILL_INTERVAL_MS / 1000}s\nrules:\n  - record: beta_eval\n    expr: vector(1)\n    labels:\n      group: ${g}\n`,
        'beta',
      );
    const dedicatedEnv = {
      STRATA_RULER_TENANTS: 'beta',
      STRATA_RULER_TENANT_HOLD_SECONDS: String(HOLD_MS / 1000),
    };
    const dedicated = await startRuler('dedicated', dedicatedEnv);
    const owned = async (r: Ruler) => (await scrape(r, 'ruler_groups_owned')).get('') ?? 0;
    await eventually(
      async () =>
        (await owned(dedicated)) === BETA_GROUPS.length && (await owned(shared)) === GROUPS.length
          ? true
          : undefined,
      120_000,
      "the dedicated replica owning beta's groups and the shared one acme's",
    );
    const counts = () =>
      Promise.all([shared, dedicated].map((r) => scrape(r, 'ruler_group_evaluations_total')));
    const before = await counts();
    await new Promise((r) => setTimeout(r, 3 * DRILL_INTERVAL_MS));
    const after = await counts();
    const delta = (i: number, key: string) => (after[i].get(key) ?? 0) - (before[i].get(key) ?? 0);
    expect(
      BETA_GROUPS.map((g) => [
        g,
        delta(0, `dedicated;${g}`) === 0,
        delta(1, `dedicated;${g}`) >= 2,
      ]),
    ).toEqual(BETA_GROUPS.map((g) => [g, true, true]));
    expect(
      GROUPS.map((g) => [g, delta(0, `drill;${g}`) >= 2, delta(1, `drill;${g}`) === 0]),
    ).toEqual(GROUPS.map((g) => [g, true, true]));

    // Whizard's tenant ruler going down stops its tenant's rules until it is back: here, until the
    // hold runs out. The shared replica would otherwise take them within TTL + TTL/3 + interval.
    await killHard(dedicated.child);
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, HOLD_MS - 5000));
    expect(await owned(shared)).toBe(GROUPS.length);
    const paused = await raw('beta_eval', 60, 'group', 'beta');
    expect([...paused.values()].flat().filter((t) => t > killedAt + 1000)).toEqual([]);

    const slots = await eventually(
      async () => {
        const m = await raw('beta_eval', 120, 'group', 'beta');
        return BETA_GROUPS.every((g) => (m.get(g) ?? []).some((t) => t > killedAt)) ? m : undefined;
      },
      120_000,
      "the shared replica evaluating beta's groups after the hold",
    );
    // The reservation was last renewed at most TTL/3 before the kill and expires HOLD later; the
    // next round then leases the groups, which run at their next slot.
    const takeovers = BETA_GROUPS.map(
      (g) => (slots.get(g) ?? []).find((t) => t > killedAt)! - killedAt,
    );
    const bound = HOLD_MS + LEASE_TTL_MS + LEASE_TTL_MS / 3 + DRILL_INTERVAL_MS;
    process.stdout.write(
      `dedicated tenant taken over after the hold: ${takeovers.join(', ')} ms (hold ${HOLD_MS} ms, bound ${bound} ms)\n`,
    );
    for (const d of takeovers) {
      expect(d).toBeGreaterThan(HOLD_MS - LEASE_TTL_MS);
      expect(d).toBeLessThanOrEqual(bound);
    }

    // Back again, the tenant's own replica takes its groups back from the shared one.
    const again = await startRuler('dedicated-again', dedicatedEnv);
    await eventually(
      async () =>
        (await owned(again)) === BETA_GROUPS.length && (await owned(shared)) === GROUPS.length
          ? true
          : undefined,
      120_000,
      "beta's groups back on its dedicated replica",
    );
  });
});
