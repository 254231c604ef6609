const preset = require('../../jest.preset.js');

// Node loads a few ESM-only dependencies of mercurius (through require(esm) and dynamic import),
// but jest's module system cannot, so jest compiles exactly those files to CommonJS.
const esmFiles = ['content-disposition/dist/.+', 'quick-lru/.+', 'mercurius/index'];
const [tsPattern, tsTransform] = Object.entries(preset.transform)[0];

module.exports = {
  ...preset,
  displayName: 'gateway',
  rootDir: __dirname,
  transform: {
    [tsPattern]: tsTransform,
    [`node_modules/(${esmFiles.join('|')})\\.js$`]: ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmFiles.join('|')})\\.js$)`],
};
