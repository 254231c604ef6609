module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'store-app',
  rootDir: __dirname,
};
