module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'objstore',
  rootDir: __dirname,
};
