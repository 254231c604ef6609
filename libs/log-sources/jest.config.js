module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'log-sources',
  rootDir: __dirname,
};
