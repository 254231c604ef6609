module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'control-plane-app',
  rootDir: __dirname,
};
