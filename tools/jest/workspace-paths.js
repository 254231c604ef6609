// Jest's global setup runs outside jest's module system, so its moduleNameMapper does not apply
// there: this resolves the workspace's `@strata/*` imports from tsconfig's `paths` for it.
const Module = require('node:module');
const path = require('node:path');
const tsconfig = require('../../tsconfig.base.json');

const root = path.resolve(__dirname, '../..');
const targets = new Map(
  Object.entries(tsconfig.compilerOptions.paths).map(([alias, [target]]) => [
    alias,
    path.join(root, target),
  ]),
);
const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveWorkspacePath(request, ...rest) {
  return resolve.call(this, targets.get(request) ?? request, ...rest);
};
