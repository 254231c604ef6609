// The all-in-one process: `--target=all|<service,...>` (or STRATA_TARGET) picks the services to run
// together, like Mimir's monolithic mode; `npm start` runs it with every service. With
// STRATA_ROUTER_PROCESS=separate the router runs in a supervised child process of this same script.
import { startPlatform } from '@strata/platform';
import { runProcess } from '@strata/service-kit';

runProcess(() => startPlatform(process.argv.slice(2), { entry: __filename }));
