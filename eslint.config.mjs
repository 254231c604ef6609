import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Pure domain libraries stay free of frameworks and transports so they can be tested and
// benchmarked alone; only infra and feature code may touch Nest, NATS or Postgres.
const frameworkImports = [
  '@nestjs/*',
  'typeorm',
  'pg',
  '@nats-io/*',
  'fastify',
  'mercurius',
  'graphql',
];

// type:testing is scaffolding only specs, other testing code and tools load (libs/testing,
// libs/devstack); type:tooling is what nothing imports and production never runs (tools/, deploy/).
const PRODUCTION_TYPES = [
  'type:feature',
  'type:infra',
  'type:domain',
  'type:contracts',
  'type:util',
];
const TYPES = ['type:app', ...PRODUCTION_TYPES, 'type:testing', 'type:tooling'];

// Services meet only through contracts over the bus, so a scope reaches its own code and the shared
// libraries only. The exceptions, each for a reason:
const SCOPE_EXCEPTIONS = {
  // The operator CLI replays and verifies the control plane's event store offline.
  cli: ['scope:control-plane'],
};

/** Every project.json of the workspace, read once so each tag is checked against the model. */
function readProjects(dir = import.meta.dirname, depth = 0) {
  const projects = [];
  const file = join(dir, 'project.json');
  if (existsSync(file)) projects.push({ file, ...JSON.parse(readFileSync(file, 'utf8')) });
  if (depth >= 3) return projects;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (
      !entry.isDirectory() ||
      entry.name.startsWith('.') ||
      ['node_modules', 'dist', 'coverage'].includes(entry.name)
    )
      continue;
    projects.push(...readProjects(join(dir, entry.name), depth + 1));
  }
  return projects;
}

// A project without exactly one known type and one scope would slip past the constraints below.
const scopes = new Set();
for (const project of readProjects()) {
  const tags = project.tags ?? [];
  const types = tags.filter((t) => t.startsWith('type:'));
  const projectScopes = tags.filter((t) => t.startsWith('scope:'));
  if (types.length !== 1 || !TYPES.includes(types[0]) || projectScopes.length !== 1) {
    throw new Error(
      `${project.file}: tags ${JSON.stringify(tags)} need one of ${TYPES.join(', ')} and one scope:*`,
    );
  }
  scopes.add(projectScopes[0].slice('scope:'.length));
}
const serviceScopes = [...scopes].filter((s) => s !== 'shared' && s !== 'all').sort();

const config = [
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      '.strata',
      '.nx',
      'coverage',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    // The console's sources are TSX; their nearest tsconfig (apps/console) adds the DOM and JSX.
    files: ['**/*.ts', 'apps/console/src/**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: PRODUCTION_TYPES },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: PRODUCTION_TYPES },
            {
              sourceTag: 'type:infra',
              onlyDependOnLibsWithTags: [
                'type:infra',
                'type:domain',
                'type:contracts',
                'type:util',
              ],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util'],
              bannedExternalImports: frameworkImports,
            },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: [...frameworkImports, 'protobufjs'],
            },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: [...PRODUCTION_TYPES, 'type:testing'],
            },
            {
              sourceTag: 'type:tooling',
              onlyDependOnLibsWithTags: [...PRODUCTION_TYPES, 'type:testing'],
            },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            ...serviceScopes.map((s) => ({
              sourceTag: `scope:${s}`,
              onlyDependOnLibsWithTags: [
                `scope:${s}`,
                'scope:shared',
                ...(SCOPE_EXCEPTIONS[s] ?? []),
              ],
            })),
            { sourceTag: 'scope:all', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];

// Specs and test scaffolding (a lib's testing/ and test/ folders beside src/) are typechecked with
// jest's globals, which production code never sees: they live in their own tsconfig.
const testCode = [
  '**/*.spec.ts',
  '**/*.int-spec.ts',
  'libs/testing/**/*.ts',
  'libs/*/testing/**/*.ts',
  'libs/*/test/**/*.ts',
];
config.push({
  files: testCode,
  languageOptions: {
    parserOptions: {
      projectService: false,
      project: './tsconfig.spec.json',
      tsconfigRootDir: import.meta.dirname,
    },
  },
});

// Specs and test scaffolding may also use the testing libraries (real nats-server and Postgres
// helpers); production code may not.
const boundaries = config.find((c) => c.rules?.['@nx/enforce-module-boundaries'])?.rules[
  '@nx/enforce-module-boundaries'
][1];
config.push({
  files: testCode,
  rules: {
    '@nx/enforce-module-boundaries': [
      'error',
      {
        ...boundaries,
        depConstraints: boundaries.depConstraints.map((c) =>
          c.sourceTag.startsWith('type:') &&
          c.onlyDependOnLibsWithTags.length > 0 &&
          !c.onlyDependOnLibsWithTags.includes('type:testing')
            ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] }
            : c,
        ),
      },
    ],
  },
});

// A lib's testing entry point (`@strata/<lib>/testing`) belongs to the lib's own project, so the tag
// constraints cannot tell it from the lib; production sources are kept away from it by name.
config.push({
  files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
  ignores: ['**/*.spec.ts', '**/*.int-spec.ts', 'libs/testing/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['**/testing', '**/testing/**', '@strata/devstack'],
            message: 'Test scaffolding is for specs, testing code and tools only.',
          },
        ],
      },
    ],
  },
});

export default config;
