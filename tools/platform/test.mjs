#!/usr/bin/env node
// The README's test command: installs what is missing, builds the web console, then runs the whole suite.
import { ensureNodeModules, runTypeScript } from './bootstrap.mjs';
import { ensureConsoleBuilt } from './console-build.mjs';

ensureNodeModules();
ensureConsoleBuilt();
runTypeScript('tools/platform/src/run-tests.ts', process.argv.slice(2));
