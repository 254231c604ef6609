#!/usr/bin/env node
// `npm run nats-auth:deploy`: regenerates deploy/base/nats-auth.conf from the permission table.
import { ensureNodeModules, runTypeScript } from './bootstrap.mjs';

ensureNodeModules();
runTypeScript('tools/platform/src/render-nats-auth.ts', process.argv.slice(2));
