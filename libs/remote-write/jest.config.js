module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'remote-write',
  rootDir: __dirname,
};
