module.exports = { ...require('../../jest.preset.js'), displayName: 'promql', rootDir: __dirname };
