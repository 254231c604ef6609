module.exports = { ...require('../../jest.preset.js'), displayName: 'logflow', rootDir: __dirname };
