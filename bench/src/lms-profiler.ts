/**
 * Preloaded (`--import`) into a service process when `BENCH_LMS_PROFILE_DIR` is set: a CPU
 * profile of the whole process life, written as `<dir>/<name>-<pid>.cpuprofile` at exit
 * (open it in Chrome DevTools or speedscope). `--cpu-prof` would do the same but is not
 * allowed in NODE_OPTIONS, and the bench's spawn helper takes no other Node flags.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_LMS_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  // 1 ms sampling: fine enough for a run of minutes, small enough a profile.
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // The in-process inspector session answers synchronously, so this runs within 'exit'.
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      const name = process.env.BENCH_LMS_PROFILE_NAME ?? 'process';
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
