module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'ingester',
  rootDir: __dirname,
};
