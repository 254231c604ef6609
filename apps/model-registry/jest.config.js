module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'model-registry-app',
  rootDir: __dirname,
};
