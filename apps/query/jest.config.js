module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'query-app',
  rootDir: __dirname,
};
