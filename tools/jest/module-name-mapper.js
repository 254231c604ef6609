// Jest resolves the workspace's `@strata/*` imports from the same `paths` tsc uses, so the two never disagree.
const path = require('node:path');
const tsconfig = require('../../tsconfig.base.json');

const root = path.resolve(__dirname, '../..');
const moduleNameMapper = {};
for (const [alias, targets] of Object.entries(tsconfig.compilerOptions.paths)) {
  const key =
    '^' + alias.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '*' ? '(.*)' : '\\' + c)) + '$';
  moduleNameMapper[key] = path.join(root, targets[0].replace('*', '$1'));
}
module.exports = { moduleNameMapper };
