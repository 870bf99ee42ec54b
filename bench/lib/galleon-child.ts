/**
 * Child-process entry: runs one Galleon (server/serve.ts `startServer`) configured from the
 * environment exactly as `galleon serve` is, so that the benchmark can sample its resident memory and
 * load it from another process. Sends `{ type: 'ready', url, pid, startMs }` over IPC once it listens;
 * stops cleanly on SIGTERM or on an IPC `{ type: 'stop' }` (a --cpu-prof profile is written on exit).
 */
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/serve.ts';

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
  if (m?.type === 'gc' && typeof global.gc === 'function') {
    global.gc();
    process.send?.({ type: 'gc-done' });
  }
});
process.on('disconnect', () => void stop());
