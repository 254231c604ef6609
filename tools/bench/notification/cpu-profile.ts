// Preloaded into a Strata process of the bench when STRATA_BENCH_PROFILE=<dir> is set: profiles
// its CPU from start and writes `<dir>/<name>-<pid>.cpuprofile` on SIGUSR2. Node's own
// `--cpu-prof` writes nothing here, because the platform re-raises SIGTERM to exit.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.STRATA_BENCH_PROFILE;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable', () =>
    session.post('Profiler.setSamplingInterval', { interval: 500 }, () =>
      session.post('Profiler.start'),
    ),
  );
  process.on('SIGUSR2', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      const name = process.env.STRATA_BENCH_PROFILE_NAME ?? 'strata';
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
      // The bench waits for this line in the process's log.
      console.log(`cpu profile written`);
    });
  });
}
