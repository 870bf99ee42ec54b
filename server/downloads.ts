/**
 * Download counting without writes on the read path (issue: "reads never write"): counts are kept
 * in memory and flushed to the database in one batch every few seconds and at shutdown. A failed
 * flush puts its counts back so nothing is lost while the process lives.
 */
import type { PackageRepository } from '../db/packages.ts';

export class DownloadCounter {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly repo: PackageRepository,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** counts one download of (lower id, version key) */
  count(lowerId: string, versionKey: string): void {
    const key = `${lowerId}/${versionKey}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** writes the buffered counts; concurrent calls share one flush */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.repo
      .addDownloads(batch)
      .catch((err) => {
        for (const [k, n] of batch) this.pending.set(k, (this.pending.get(k) ?? 0) + n);
        this.onError(err);
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  /** stops the timer and flushes what is left */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
    if (this.pending.size > 0) await this.flush();
  }

  get pendingCount(): number {
    let n = 0;
    for (const v of this.pending.values()) n += v;
    return n;
  }
}
