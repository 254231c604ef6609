module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'gotemplate',
  rootDir: __dirname,
};
