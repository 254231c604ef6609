module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'router-app',
  rootDir: __dirname,
};
