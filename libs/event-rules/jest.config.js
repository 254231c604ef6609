module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'event-rules',
  rootDir: __dirname,
};
