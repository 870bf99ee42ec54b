/**
 * Child-process entry: runs one Galleon (server/serve.ts `startServer`) configured from the
 * environment exactly as `galleon serve` is, so that the benchmark can sample its resident memory and
 * load it from another process. Sends `{ type: 'ready', url, pid, startMs }` over IPC once it listens;
 * stops cleanly on SIGTERM or on an IPC `{ type: 'stop' }` (a --cpu-prof profile is written on exit).
 * With GALLEON_BENCH_PUSH_PROFILE=1 it times every push's phases; `{ type: 'push-profile' }` answers
 * `{ type: 'push-profile', phases }` (summed since the previous request) and starts a new sum.
 */
import { loadConfig } from '../../server/config.ts';
import { pushProfile } from '../../server/services/push-profile.ts';
import { startServer } from '../../server/serve.ts';

// per-phase push timing (server/services/push-profile.ts PushProfile), read and reset over IPC with { type: 'push-profile' }
if (process.env.GALLEON_BENCH_PUSH_PROFILE === '1') pushProfile.enabled = true;

const started = Date.now();
const config = loadConfig(process.env);
const running = await startServer(config);
process.send?.({ type: 'ready', url: running.url, pid: process.pid, startMs: Date.now() - started });

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  // idle keep-alive connections of the load generator must not hold the drain open
  setTimeout(() => running.server.closeAllConnections(), 2000).unref();
  await running.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('message', (m: any) => {
  if (m?.type === 'stop') void stop();
  if (m?.type === 'push-profile') process.send?.({ type: 'push-profile', phases: pushProfile.snapshot(true) });
  if (m?.type === 'gc' && typeof global.gc === 'function') {
    global.gc();
    process.send?.({ type: 'gc-done' });
  }
});
process.on('disconnect', () => void stop());
