import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';

/** The file that describes a model directory, as modelx names it; pushed as the manifest's config. */
export const MODEL_CONFIG_FILE = 'modelx.yaml';

/** `strata models init`: writes a modelx.yaml to fill in; refuses to overwrite one. */
export async function initModelDir(dir: string): Promise<string> {
  const path = join(dir, MODEL_CONFIG_FILE);
  if (existsSync(path)) throw new Error(`${path} exists already`);
  const config = {
    description: `The ${basename(dir)} model`,
    framework: '',
    task: '',
    tags: [] as string[],
    maintainers: [] as string[],
    // Files the serving runtime loads first; the rest of the directory travels too.
    modelFiles: [] as string[],
  };
  await writeFile(path, stringify(config));
  return path;
}
