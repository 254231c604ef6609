module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'logflow-app',
  rootDir: __dirname,
};
