module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'events-app',
  rootDir: __dirname,
};
