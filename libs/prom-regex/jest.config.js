module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'prom-regex',
  rootDir: __dirname,
};
