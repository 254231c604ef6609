module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'promql-diff',
  rootDir: __dirname,
};
