import { MODELS_USAGE } from './models-usage';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { type Output, render } from '../../output';
import { initModelDir, MODEL_CONFIG_FILE } from './model-config';
import { type ModelsTarget, ModelsClient } from './models-client';
import { parseModelRef } from './model-ref';
import { pullModel } from './models-pull';
import { pushModel } from './models-push';
import { RegistryClient } from './registry-client';

/** Flags of the models commands. */
export interface ModelsFlags {
  'part-size-mib'?: string;
  concurrency?: string;
  /** After a push, register the pushed version under this registered model. */
  register?: string;
  'run-id'?: string;
}

/** Runs `strata models <sub> ...`; returns the exit code. */
export async function modelsCommand(
  target: () => Promise<ModelsTarget>,
  [sub, ...args]: string[],
  flags: ModelsFlags,
  output: Output,
): Promise<number> {
  const partSize = Number(flags['part-size-mib'] ?? '64') * 1024 * 1024;
  const concurrency = Number(flags.concurrency ?? '3');
  if (!(partSize >= 1024 * 1024) || !(concurrency >= 1)) {
    console.error('--part-size-mib must be at least 1 and --concurrency at least 1');
    return 2;
  }
  if (sub === 'init' && args.length === 1) {
    console.log(`wrote ${await initModelDir(args[0])}`);
    return 0;
  }
  const resolved = await target();
  const client = new ModelsClient(resolved);
  const registry = new RegistryClient(resolved);
  const summary = () =>
    `${client.counts.requests} requests, ${client.counts.bytesSent} bytes sent, ${client.counts.bytesReceived} bytes received`;
  switch (sub) {
    case 'push': {
      if (args.length !== 2) break;
      const ref = parseModelRef(args[0]);
      const outcome = await pushModel(client, ref, args[1], { partSize, concurrency });
      console.log(
        `pushed ${ref.repo}/${ref.name}@${ref.version}: ${outcome.uploaded} blob(s) uploaded (${outcome.uploadedBytes} bytes), ${outcome.skipped} already stored; ${summary()}`,
      );
      if (flags.register) {
        await registry.ensureModel(flags.register);
        const version = await registry.createVersion(flags.register, {
          // framework and task from modelx.yaml become tags, so the registry's search finds them.
          tags: await describedTags(args[1]),
          source: `models/v1/${ref.repo}/${ref.name}@${ref.version}`,
          artifact: ref,
          manifestDigest: outcome.manifestDigest,
          ...(flags['run-id'] ? { runId: flags['run-id'] } : {}),
        });
        console.log(`registered ${flags.register} version ${version.version}`);
      }
      return 0;
    }
    case 'pull': {
      if (args.length !== 2) break;
      const ref = parseModelRef(args[0]);
      const outcome = await pullModel(client, ref, args[1], concurrency);
      console.log(
        `pulled ${ref.repo}/${ref.name}@${ref.version}: ${outcome.fetched} blob(s) fetched (${outcome.fetchedBytes} bytes), ${outcome.unchanged} entries unchanged; ${summary()}`,
      );
      return 0;
    }
    case 'list': {
      if (args.length === 0) {
        const models = await client.models();
        console.log(render(output, models, models, [['MODEL', (m) => `${m.repo}/${m.name}`]]));
        return 0;
      }
      if (args.length !== 1) break;
      const index = await client.index(parseModelRef(args[0]));
      if (!index) {
        console.error(`no model ${args[0]}`);
        return 1;
      }
      console.log(
        render(output, index, index.manifests, [
          ['VERSION', (m) => m.name],
          ['MODIFIED', (m) => m.modified],
          ['DIGEST', (m) => m.digest],
        ]),
      );
      return 0;
    }
    case 'info': {
      if (args.length !== 1) break;
      const manifest = await client.manifest(parseModelRef(args[0]));
      if (!manifest) {
        console.error(`no version ${args[0]}`);
        return 1;
      }
      process.stdout.write(
        output === 'json' ? `${JSON.stringify(manifest, null, 2)}\n` : stringify(manifest),
      );
      return 0;
    }
    case 'alias': {
      if (args.length !== 3) break;
      const model = await registry.setAlias(args[0], args[1], Number(args[2]));
      console.log(`${args[0]}@${args[1]} -> version ${model.aliases[args[1]]}`);
      return 0;
    }
    case 'tag': {
      if (args.length < 3) break;
      for (const pair of args.slice(2)) {
        const at = pair.indexOf('=');
        if (at <= 0) {
          console.error(`tags are key=value, not ${pair}`);
          return 2;
        }
        await registry.tagVersion(args[0], Number(args[1]), pair.slice(0, at), pair.slice(at + 1));
      }
      console.log(`tagged ${args[0]} version ${args[1]}`);
      return 0;
    }
    default:
      break;
  }
  console.error(
    `strata models ${[sub, ...args].join(' ')}: unknown command or wrong arguments\n${MODELS_USAGE}`,
  );
  return 2;
}

async function describedTags(dir: string): Promise<Record<string, string>> {
  const config = parse(await readFile(join(dir, MODEL_CONFIG_FILE), 'utf8')) as Record<
    string,
    unknown
  > | null;
  const tags: Record<string, string> = {};
  for (const key of ['framework', 'task'])
    if (typeof config?.[key] === 'string' && config[key] !== '') tags[key] = config[key];
  return tags;
}
