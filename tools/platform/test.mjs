#!/usr/bin/env node
// The README's test command: installs what is missing, then runs the whole suite.
import { ensureNodeModules, runTypeScript } from './bootstrap.mjs';

ensureNodeModules();
runTypeScript('tools/platform/src/run-tests.ts', process.argv.slice(2));
