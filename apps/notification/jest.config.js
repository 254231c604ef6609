module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'notification-app',
  rootDir: __dirname,
};
