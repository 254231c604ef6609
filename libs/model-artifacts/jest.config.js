module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'model-artifacts',
  rootDir: __dirname,
};
