module.exports = { ...require('../../jest.preset.js'), displayName: 'tsdb', rootDir: __dirname };
