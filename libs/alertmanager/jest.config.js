module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'alertmanager',
  rootDir: __dirname,
};
