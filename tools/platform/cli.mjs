#!/usr/bin/env node
// `npm run strata -- <command>`: the operator CLI (audit replay, audit verify, ...).
import { ensureNodeModules, runTypeScript } from './bootstrap.mjs';

ensureNodeModules();
runTypeScript('apps/cli/src/main.ts', process.argv.slice(2));
