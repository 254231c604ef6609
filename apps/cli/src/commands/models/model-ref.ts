import { ModelPathSegment, ModelVersionName } from '@strata/contracts';

/** A model version named on the command line: `repo/name@version` (version `latest` when absent). */
export interface ModelRef {
  repo: string;
  name: string;
  version: string;
}

/** Parses `repo/name[@version]`; throws a message a user can act on. */
export function parseModelRef(text: string, defaultVersion = 'latest'): ModelRef {
  const match = /^([^/@]+)\/([^/@]+)(?:@(.+))?$/.exec(text);
  if (!match) throw new Error(`expected repo/name[@version], got ${JSON.stringify(text)}`);
  const [, repo, name, version = defaultVersion] = match;
  for (const [what, value, schema] of [
    ['repo', repo, ModelPathSegment],
    ['name', name, ModelPathSegment],
    ['version', version, ModelVersionName],
  ] as const) {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new Error(`${what} ${value}: ${parsed.error.issues[0].message}`);
  }
  return { repo, name, version };
}
