#!/usr/bin/env node
// The README's start command: installs what is missing, builds the web console, starts nats-server
// and Postgres unless NATS_URL / DATABASE_URL point elsewhere, then runs every service
// (the router in a second process when the machine has more than one core).
import { ensureNodeModules, runTypeScript } from './bootstrap.mjs';
import { ensureConsoleBuilt } from './console-build.mjs';

ensureNodeModules();
ensureConsoleBuilt();
runTypeScript('tools/platform/src/start-platform.ts', process.argv.slice(2));
