#!/usr/bin/env node
// `npm run strata -- <command>`: the operator CLI (audit replay, audit verify, blocks, ...).
import { join } from 'node:path';
import { ensureNodeModules, root, runTypeScript } from './bootstrap.mjs';

ensureNodeModules();
// On a developer's machine the CLI works on what `npm start` runs: its bucket (tools/platform/src/start-platform.ts).
process.env.STRATA_BUCKET_URL ??= join(root, '.strata', 'dev', 'bucket');
runTypeScript('apps/cli/src/main.ts', process.argv.slice(2));
