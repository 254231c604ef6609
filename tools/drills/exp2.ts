import { startNatsCluster } from '@strata/devstack';
import { connectBus } from '@strata/bus';
import { mkdtempSync } from 'node:fs';
import { streamPlacements } from './src/drill-support';
async function main() {
  const dir = mkdtempSync('/tmp/hadrill/c-');
  const c = await startNatsCluster({ dataDir: dir });
  const bus = await connectBus({ url: c.url, name: 'x', replicas: 3 });
  const kv = await bus.openKv('TTLTEST', { ttlMs: 4000 });
  await kv.put('a', { v: 1 });
  const leader = (await streamPlacements(c.nodes[0].monitorUrl)).get('KV_TTLTEST')?.leader;
  const mode = process.argv[2];
  const victim = c.nodes.find(n => mode === 'leader' ? n.serverName === leader : n.serverName !== leader)!;
  console.log('leader', leader, 'killing', victim.serverName);
  await victim.kill();
  const t0 = Date.now();
  for (let i = 0; i < 20; i++) {
    await new Promise(r => setTimeout(r, 1000));
    const v = await kv.get('a').catch(e => 'ERR ' + e);
    const keys = await kv.keys().catch(e => 'ERR ' + e);
    console.log(Date.now() - t0, v === null ? 'gone' : typeof v === 'string' ? v : 'present', keys);
    if (v === null) break;
  }
  await bus.drain(); await c.stop();
}
main().catch(e => { console.error(e); process.exit(1); });
