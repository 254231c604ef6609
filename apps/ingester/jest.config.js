module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'ingester-app',
  rootDir: __dirname,
};
