/**
 * The embedded database (PGlite, PostgreSQL compiled to WebAssembly) made safe to keep a gallery in.
 * Out of the box PGlite 0.5 on Node has two defects that matter here, both found in issue 9:
 *
 * 1. **No durability.** PGlite starts PostgreSQL with `-F` (fsync off), its Emscripten `fdatasync` is a
 *    no-op, and the Node file system it mounts (NODEFS) has no `fsync` at all, so no commit ever reaches
 *    the disk before it is acknowledged: a power loss or kernel crash can lose acknowledged pushes, and a
 *    checkpoint can recycle WAL whose pages were never written out. {@link DurableNodeFS} gives NODEFS a
 *    real `fsync` (fsync(2) on the file's descriptor), {@link EMBEDDED_START_PARAMS} drops `-F`, and
 *    {@link EMBEDDED_POSTGRESQL_CONF} sets `wal_sync_method = fsync` (the one method that reaches it):
 *    every commit is then fsynced before PGlite returns, and checkpoints fsync the data files, as on
 *    PostgreSQL.
 * 2. **Swallowed faults.** PGlite's protocol loop (`execProtocolRawSync`) runs each step of the backend in
 *    `try { _PostgresMainLoopOnce() } catch (e) { if (e.status === LONGJMP) … }`: any other exception
 *    thrown inside the WebAssembly backend vanishes. The one seen here is V8's `RangeError: Maximum call
 *    stack size exceeded`: PostgreSQL's parse analysis recurses once per node of a left-deep expression
 *    tree (a row-value `IN` list becomes a chain of binary ORs, `1+1+…+1` a chain of operators), each
 *    level takes about 3.5 KB of V8's native stack (984 KB by default, `--stack-size`), and
 *    PostgreSQL's own `check_stack_depth()` only watches the Emscripten stack in linear memory. So about
 *    280 nested levels abort the statement mid-way: the query resolves with no rows and no error, the
 *    backend is left with a portal "being set up" and an active snapshot, and the next such statement
 *    spins forever on one core (issue 9: the start-up sweep saw no referenced blob and deleted every
 *    package file, and a restart at 2,000 versions never answered). {@link guardEmbeddedDatabase} turns
 *    such a fault into an {@link EmbeddedDatabaseFault} and refuses every later statement, so no caller
 *    ever mistakes a swallowed fault for an empty answer. Galleon's own statements bind lists as arrays
 *    (`= any($1::text[])`, `unnest`), whose expression trees are flat, and never get near the limit
 *    (test/embedded-database.test.ts keeps the reproduction and the sizes).
 */
import { fsyncSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/** Counts fsync(2) calls made for the embedded database (tests read it to prove commits are synced). */
export const embeddedFsyncCalls = { count: 0 };

/**
 * PGlite's Node file system with a working `fsync`: the Emscripten `fsync()` that PostgreSQL calls for
 * the WAL at commit (`wal_sync_method = fsync`), for data files at checkpoints and for directories
 * reaches `fs.fsyncSync` on the real file descriptor. PGlite's own NodeFS leaves `stream_ops.fsync`
 * undefined, which Emscripten answers with success without touching the disk.
 */
export class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]): ReturnType<NodeFS['init']> {
    const result = await super.init(pg, opts);
    const preRun = result.emscriptenOpts.preRun;
    const list = Array.isArray(preRun) ? preRun : preRun ? [preRun] : [];
    result.emscriptenOpts.preRun = [
      ...list,
      (mod: any) => {
        const ops = mod.NODEFS?.stream_ops;
        if (!ops) throw new Error('PGlite no longer exposes NODEFS.stream_ops: the embedded database cannot be made durable');
        ops.fsync = (stream: { nfd?: number }) => {
          if (typeof stream.nfd !== 'number') return 0;
          embeddedFsyncCalls.count++;
          // errors become errno values through Emscripten (PostgreSQL then PANICs, as it should)
          fsyncSync(stream.nfd);
          return 0;
        };
      },
    ];
    return result;
  }
}

/** PGlite's default start parameters without `-F` (which turns fsync off). */
export const EMBEDDED_START_PARAMS: string[] = PGlite.defaultStartParams.filter((p) => p !== '-F');

/**
 * initdb parameters of new embedded clusters: 1 MB WAL segments instead of 16 MB. A segment is the unit
 * pg_wal grows and shrinks by (PostgreSQL keeps at least two), and a push writes a few dozen kB of WAL,
 * so 16 MB segments alone would keep 32–48 MB of WAL beside a small gallery. Clusters made before keep
 * their 16 MB segments ({@link embeddedPostgresqlConf} adapts to either).
 */
export const EMBEDDED_INITDB_PARAMS: string[] = ['--wal-segsize=1'];

/**
 * When Galleon checkpoints the embedded database itself (db/connection.ts): PGlite's single-user
 * backend has no checkpointer process and never checkpoints on its own, whatever `max_wal_size` and
 * `checkpoint_timeout` say (measured: 280 MB of WAL written with `max_wal_size = 32MB`, redo point never
 * moved), so without this pg_wal grows until the next clean stop and a crash replays all of it.
 * - `walBytes`: after this much WAL since the last checkpoint (bounds pg_wal and crash recovery)
 * - `intervalMs`: after this long when anything was written (as `checkpoint_timeout` would)
 * - `pollMs`: how often the WAL position is read (one trivial query)
 */
export const EMBEDDED_CHECKPOINT = { walBytes: 8 * 1024 * 1024, intervalMs: 5 * 60_000, pollMs: 2000 } as const;

const MB = 1024 * 1024;

/**
 * postgresql.conf of the embedded database (PGlite writes it at every start, replacing initdb's) for a
 * cluster whose WAL segments are `walSegmentBytes` long:
 * - `shared_buffers = 32MB`: PGlite's default 128 MB costs ~100 MB of resident memory once touched;
 *   Galleon answers hot documents from its own cache and the files sit in the OS page cache anyway.
 * - `wal_sync_method = fsync`: the one method whose Emscripten call reaches {@link DurableNodeFS}
 *   (`fdatasync` is a no-op there and `open_datasync` flags are not passed through).
 * - `min_wal_size`, `max_wal_size`: how much WAL a checkpoint keeps as recycled segments (between the
 *   two, PostgreSQL's estimate of the next checkpoint's distance); with checkpoints every
 *   {@link EMBEDDED_CHECKPOINT}.walBytes this keeps pg_wal near `max_wal_size`. PostgreSQL refuses to
 *   start with `min_wal_size` below two segments, hence the dependence on the segment size.
 */
export function embeddedPostgresqlConf(walSegmentBytes: number): string {
  const segMb = Math.max(1, Math.round(walSegmentBytes / MB));
  const checkpointMb = EMBEDDED_CHECKPOINT.walBytes / MB;
  const minMb = Math.max(2 * segMb, 4);
  const maxMb = Math.max(2 * segMb, checkpointMb + 2 * segMb, minMb);
  return ['shared_buffers = 32MB', 'wal_sync_method = fsync', `min_wal_size = ${minMb}MB`, `max_wal_size = ${maxMb}MB`].join('\n');
}

/** postgresql.conf of an embedded database in memory (tests) and of clusters with 1 MB segments. */
export const EMBEDDED_POSTGRESQL_CONF = embeddedPostgresqlConf(MB);

/** An exception the embedded database's WebAssembly backend threw and PGlite would have swallowed. */
export class EmbeddedDatabaseFault extends Error {
  readonly code = 'embedded_database_fault';
  constructor(readonly fault: unknown) {
    super(
      `The embedded database failed inside PGlite (${describe(fault)}) and was stopped so that nothing is read or written in an unknown state; restart Galleon (crash recovery replays the write-ahead log).`,
    );
  }
}

/** Whether `err` is an {@link EmbeddedDatabaseFault} or wraps one (drizzle's DrizzleQueryError keeps it as `cause`). */
export function isEmbeddedDatabaseFault(err: unknown): boolean {
  for (let e: any = err, depth = 0; e && depth < 10; e = e.cause, depth++) if (e instanceof EmbeddedDatabaseFault) return true;
  return false;
}

function describe(fault: unknown): string {
  if (fault instanceof Error) return `${fault.name}: ${fault.message}`;
  return String(fault);
}

/**
 * Guards a PGlite instance against swallowed faults (defect 2 above): wraps the backend step PGlite
 * calls so that an exception other than PostgreSQL's own error longjmp is recorded, and the protocol
 * entry point (`execProtocolRawSync`, under every query, exec and transaction) so that the statement
 * that hit it rejects with {@link EmbeddedDatabaseFault} and every later one rejects at once without
 * entering the backend (whose state is unknown, and which may never return). `onFault` is called once,
 * with the fault, when it first happens.
 *
 * @returns `isFaulted()`, true once a fault happened (the handle must not be closed through PGlite then)
 */
export function guardEmbeddedDatabase(pg: PGlite, onFault: (err: EmbeddedDatabaseFault) => void): { isFaulted(): boolean } {
  const instance = pg as unknown as {
    mod: Record<string, any>;
    POSTGRES_MAIN_LONGJMP: number;
    execProtocolRawSync(message: Uint8Array): Uint8Array;
  };
  const mod = instance.mod;
  const step = mod._PostgresMainLoopOnce;
  const raw = instance.execProtocolRawSync;
  if (typeof step !== 'function' || typeof raw !== 'function') {
    throw new Error('PGlite no longer has _PostgresMainLoopOnce/execProtocolRawSync: update db/embedded.ts for this PGlite version');
  }
  let pending: unknown = null;
  let faulted: EmbeddedDatabaseFault | null = null;
  mod._PostgresMainLoopOnce = function (this: unknown, ...args: unknown[]) {
    try {
      return step.apply(this, args);
    } catch (err) {
      if ((err as { status?: number } | null)?.status !== instance.POSTGRES_MAIN_LONGJMP && pending === null) pending = err ?? new Error('unknown fault');
      throw err;
    }
  };
  instance.execProtocolRawSync = function (this: unknown, message: Uint8Array) {
    if (faulted) throw faulted;
    const out = raw.call(this, message);
    if (pending !== null) {
      faulted = new EmbeddedDatabaseFault(pending);
      pending = null;
      onFault(faulted);
      throw faulted;
    }
    return out;
  };
  return { isFaulted: () => faulted !== null };
}
