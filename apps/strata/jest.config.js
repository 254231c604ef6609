module.exports = { ...require('../../jest.preset.js'), displayName: 'strata', rootDir: __dirname };
