module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'ruler-app',
  rootDir: __dirname,
};
