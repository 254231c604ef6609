module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'compactor-app',
  rootDir: __dirname,
};
