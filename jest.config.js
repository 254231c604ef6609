// The whole suite in one jest run, so the test command reads a single JSON result.
const { readdirSync, existsSync } = require('node:fs');
const path = require('node:path');
const preset = require('./jest.preset.js');

const projects = [];
if (existsSync(path.join(__dirname, 'deploy/jest.config.js')))
  projects.push(path.join(__dirname, 'deploy/jest.config.js'));
for (const dir of ['apps', 'libs', 'tools']) {
  if (!existsSync(path.join(__dirname, dir))) continue;
  for (const name of readdirSync(path.join(__dirname, dir))) {
    const config = path.join(__dirname, dir, name, 'jest.config.js');
    if (existsSync(config)) projects.push(config);
  }
}
module.exports = {
  projects,
  // Integration specs talk to a real nats-server and Postgres on a CI machine that runs two jest
  // workers beside them; jest's 5 s default fails slow-but-correct specs there. (A global option:
  // jest ignores it in a project's config.)
  testTimeout: 30_000,
  globalSetup: preset.globalSetup,
  globalTeardown: preset.globalTeardown,
  transform: preset.transform,
};
