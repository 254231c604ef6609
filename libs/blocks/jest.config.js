module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'blocks',
  rootDir: __dirname,
};
