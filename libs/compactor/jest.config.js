module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'compactor',
  rootDir: __dirname,
};
