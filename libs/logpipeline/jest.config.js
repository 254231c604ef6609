module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'logpipeline',
  rootDir: __dirname,
};
