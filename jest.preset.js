// Shared by every project's jest.config.js: swc keeps transforms fast on a 2-core machine and
// still emits decorator metadata, which NestJS dependency injection needs.
const path = require('node:path');
const { moduleNameMapper } = require('./tools/jest/module-name-mapper');

// Node loads a few ESM-only dependencies of mercurius (content-disposition through require(esm),
// quick-lru through a dynamic import), but jest's module system cannot, so jest compiles exactly
// those files to CommonJS for every project that ends up loading the gateway.
const esmOnlyFiles = ['content-disposition/dist/.+', 'quick-lru/.+', 'mercurius/index'];

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
    [`node_modules/(${esmOnlyFiles.join('|')})\\.js$`]: [
      '@swc/jest',
      { module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyFiles.join('|')})\\.js$)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/?(*.)+(spec|int-spec).ts'],
  moduleNameMapper,
  setupFiles: [path.join(__dirname, 'tools/jest/setup.js')],
  globalSetup: path.join(__dirname, 'tools/jest/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'tools/jest/global-teardown.ts'),
};
