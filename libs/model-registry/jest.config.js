module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'model-registry',
  rootDir: __dirname,
};
