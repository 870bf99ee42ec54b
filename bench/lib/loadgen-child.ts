/**
 * Child-process entry: the load generator, kept out of the process under test (and out of the
 * parent, which samples memory). The parent sends one job over IPC and gets one result back:
 *
 * - `{ kind: 'autocannon', opts }` → autocannon (closed loop, N keep-alive connections) summary
 * - `{ kind: 'push', url, apiKey, files, concurrency }` → per-push latency and status of pushing
 *   each file (multipart, as `dotnet nuget push` does), `concurrency` pushes in flight
 * - `{ kind: 'mixed', ... }` → the soak mix: reads of the given targets and pushes of freshly built
 *   module packages, either closed loop (`concurrency` workers, to find capacity) or open loop at a
 *   fixed request rate, with per-second status and latency buckets
 */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { modulePackage, multipartBody } from './packages.ts';
import { percentile } from './util.ts';

export interface AutocannonJob {
  kind: 'autocannon';
  opts: { url: string; connections: number; duration: number; headers?: Record<string, string>; method?: string };
}

/** Summary of an autocannon run; latencies in ms (autocannon's 2xx latency histogram). */
export interface AutocannonSummary {
  rps: number;
  bytesPerSec: number;
  total: number;
  p50: number;
  p99: number;
  mean: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  /** responses that are neither 2xx nor 304, plus connection errors and timeouts */
  bad: number;
}

/** Closed-loop GETs of one URL over `connections` keep-alive connections, bodies counted and dropped. */
export interface DownloadJob {
  kind: 'download';
  url: string;
  connections: number;
  duration: number;
}

export interface PushJob {
  kind: 'push';
  url: string;
  apiKey: string;
  files: string[];
  concurrency: number;
}

export interface PushSummary {
  durationMs: number;
  latenciesMs: number[];
  statusCounts: Record<string, number>;
  errors: number;
  firstErrors: string[];
}

export interface MixedJob {
  kind: 'mixed';
  url: string;
  apiKey: string;
  /** request targets read (paths) */
  reads: string[];
  /** ids that pushes add versions to; version numbers start at `pushVersionBase` */
  pushIds: string[];
  pushVersionBase: number;
  /** share of requests that are pushes, 0..1 */
  pushShare: number;
  durationSec: number;
  /** closed loop with this many workers, or open loop at `rate` requests/s */
  concurrency?: number;
  rate?: number;
}

export interface MixedBucket {
  second: number;
  reads: number;
  pushes: number;
  status: Record<string, number>;
  errors: number;
  readP50: number;
  readP99: number;
  pushP50: number;
  pushP99: number;
}

export interface MixedSummary {
  durationMs: number;
  reads: number;
  pushes: number;
  status: Record<string, number>;
  errors: number;
  /** open loop: requests not sent because too many were in flight */
  skipped: number;
  readP50: number;
  readP99: number;
  pushP50: number;
  pushP99: number;
  buckets: MixedBucket[];
  firstErrors: string[];
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** One HTTP exchange; resolves with status and elapsed ms once the body is consumed. */
function exchange(
  url: string,
  method: string,
  headers: Record<string, string | number>,
  body: Buffer[] | null,
): Promise<{ status: number; ms: number; text: string }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (c: Buffer) => {
        if (kept < 512) {
          chunks.push(c);
          kept += c.length;
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start, text: Buffer.concat(chunks).toString('utf8', 0, 512) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) for (const part of body) req.write(part);
    req.end();
  });
}

async function runAutocannon(job: AutocannonJob): Promise<AutocannonSummary> {
  const result: any = await autocannon({ ...job.opts, pipelining: 1 });
  const statusCounts: Record<string, number> = {};
  let good = 0;
  let all = 0;
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) {
    const n = (v as { count: number }).count;
    statusCounts[code] = n;
    all += n;
    if ((Number(code) >= 200 && Number(code) < 300) || code === '304') good += n;
  }
  return {
    rps: all / (result.duration || job.opts.duration),
    bytesPerSec: result.throughput.total / (result.duration || job.opts.duration),
    total: all,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
    bad: all - good + result.errors + result.timeouts,
  };
}

/** Large bodies: node:http reads them much faster than autocannon's parser does. */
async function runDownloads(job: DownloadJob): Promise<AutocannonSummary> {
  const dlAgent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let bytes = 0;
  let errors = 0;
  const started = performance.now();
  const endAt = started + job.duration * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      const req = request(job.url, { agent: dlAgent }, (res) => {
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => {
          latencies.push(performance.now() - t);
          statusCounts[res.statusCode ?? 0] = (statusCounts[res.statusCode ?? 0] ?? 0) + 1;
          resolve();
        });
        res.on('error', () => {
          errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (performance.now() < endAt) await one();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  dlAgent.destroy();
  const total = latencies.length;
  const good = Object.entries(statusCounts).reduce((s, [k, n]) => s + (k.startsWith('2') || k === '304' ? n : 0), 0);
  return {
    rps: total / elapsed,
    bytesPerSec: bytes / elapsed,
    total,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, total),
    statusCounts,
    errors,
    timeouts: 0,
    bad: total - good + errors,
  };
}

async function runPushes(job: PushJob): Promise<PushSummary> {
  const latenciesMs: number[] = [];
  const statusCounts: Record<string, number> = {};
  const firstErrors: string[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const target = `${job.url}/api/v2/package/`;
  const worker = async () => {
    while (next < job.files.length) {
      const file = job.files[next++]!;
      const bytes = await readFile(file);
      const body = multipartBody(bytes);
      try {
        const r = await exchange(target, 'PUT', { 'X-NuGet-ApiKey': job.apiKey, 'Content-Type': body.contentType, 'Content-Length': body.length }, body.parts);
        latenciesMs.push(r.ms);
        statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
        if (r.status >= 500 && firstErrors.length < 5) firstErrors.push(`${file}: ${r.status} ${r.text}`);
      } catch (err) {
        errors++;
        if (firstErrors.length < 5) firstErrors.push(`${file}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  return { durationMs: performance.now() - started, latenciesMs, statusCounts, errors, firstErrors };
}

async function runMixed(job: MixedJob): Promise<MixedSummary> {
  const started = performance.now();
  const endAt = started + job.durationSec * 1000;
  const buckets: { reads: number[]; pushes: number[]; status: Record<string, number>; errors: number }[] = [];
  const bucket = () => {
    const s = Math.floor((performance.now() - started) / 1000);
    while (buckets.length <= s) buckets.push({ reads: [], pushes: [], status: {}, errors: 0 });
    return buckets[s]!;
  };
  const firstErrors: string[] = [];
  const versions = new Map<string, number>();
  let pushSeq = 0;
  let readSeq = 0;
  // pushes are chosen by a fixed stride so the share is exact over any window of 1/pushShare requests
  let acc = 0;
  const nextIsPush = () => {
    acc += job.pushShare;
    if (acc >= 1) {
      acc -= 1;
      return true;
    }
    return false;
  };

  const one = async () => {
    const push = nextIsPush();
    try {
      if (push) {
        const n = pushSeq++;
        const id = job.pushIds[n % job.pushIds.length]!;
        const v = (versions.get(id) ?? job.pushVersionBase) + 1;
        versions.set(id, v);
        const bytes = await modulePackage(id, `${Math.floor(v / 1000)}.${v % 1000}.0`, n);
        const body = multipartBody(bytes);
        const r = await exchange(`${job.url}/api/v2/package/`, 'PUT', { 'X-NuGet-ApiKey': job.apiKey, 'Content-Type': body.contentType, 'Content-Length': body.length }, body.parts);
        const b = bucket();
        b.pushes.push(r.ms);
        b.status[r.status] = (b.status[r.status] ?? 0) + 1;
        if (r.status >= 400 && firstErrors.length < 10) firstErrors.push(`push ${id}: ${r.status} ${r.text}`);
      } else {
        const target = job.reads[readSeq++ % job.reads.length]!;
        const r = await exchange(`${job.url}${target}`, 'GET', { 'Accept-Encoding': 'gzip' }, null);
        const b = bucket();
        b.reads.push(r.ms);
        b.status[r.status] = (b.status[r.status] ?? 0) + 1;
        if (r.status >= 400 && firstErrors.length < 10) firstErrors.push(`GET ${target}: ${r.status} ${r.text}`);
      }
    } catch (err) {
      bucket().errors++;
      if (firstErrors.length < 10) firstErrors.push(`${push ? 'push' : 'read'}: ${(err as Error).message}`);
    }
  };

  let skipped = 0;
  if (job.concurrency) {
    await Promise.all(
      Array.from({ length: job.concurrency }, async () => {
        while (performance.now() < endAt) await one();
      }),
    );
  } else {
    const rate = job.rate!;
    const maxInFlight = 512;
    let inFlight = 0;
    let sent = 0;
    const pending = new Set<Promise<void>>();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        if (now >= endAt) {
          clearInterval(timer);
          resolve();
          return;
        }
        const due = Math.floor(((now - started) / 1000) * rate);
        while (sent < due) {
          sent++;
          if (inFlight >= maxInFlight) {
            skipped++;
            continue;
          }
          inFlight++;
          const p = one().finally(() => {
            inFlight--;
            pending.delete(p);
          });
          pending.add(p);
        }
      };
      const timer = setInterval(tick, 5);
    });
    await Promise.all(pending);
  }

  const all = { reads: [] as number[], pushes: [] as number[], status: {} as Record<string, number>, errors: 0 };
  for (const b of buckets) {
    all.reads.push(...b.reads);
    all.pushes.push(...b.pushes);
    all.errors += b.errors;
    for (const [k, v] of Object.entries(b.status)) all.status[k] = (all.status[k] ?? 0) + v;
  }
  return {
    durationMs: performance.now() - started,
    reads: all.reads.length,
    pushes: all.pushes.length,
    status: all.status,
    errors: all.errors,
    skipped,
    readP50: percentile(all.reads, 50),
    readP99: percentile(all.reads, 99),
    pushP50: percentile(all.pushes, 50),
    pushP99: percentile(all.pushes, 99),
    buckets: buckets.map((b, second) => ({
      second,
      reads: b.reads.length,
      pushes: b.pushes.length,
      status: b.status,
      errors: b.errors,
      readP50: percentile(b.reads, 50),
      readP99: percentile(b.reads, 99),
      pushP50: percentile(b.pushes, 50),
      pushP99: percentile(b.pushes, 99),
    })),
    firstErrors,
  };
}

// jobs run one at a time; the child stays up between jobs (one process start per scenario, not per run)
process.on('message', async (job: AutocannonJob | DownloadJob | PushJob | MixedJob) => {
  try {
    const result =
      job.kind === 'autocannon' ? await runAutocannon(job)
      : job.kind === 'download' ? await runDownloads(job)
      : job.kind === 'push' ? await runPushes(job)
      : await runMixed(job);
    process.send!({ ok: true, result });
  } catch (err) {
    process.send!({ ok: false, error: (err as Error).stack ?? String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'awaiting' });
