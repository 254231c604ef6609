module.exports = { ...require('../../jest.preset.js'), displayName: 'ruler', rootDir: __dirname };
