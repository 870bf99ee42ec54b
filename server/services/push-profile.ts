/**
 * The push profile of the benchmark: wall time per phase of a push (receive, inspect, storeFiles,
 * insertVersion, …), summed over pushes. Moved out of the package service so that the publish route
 * and the service time their own phases without importing each other.
 */

/**
 * Wall time of each step of a push, summed over pushes: the benchmark's per-phase profile
 * (`GALLEON_BENCH_PUSH_PROFILE=1 npm run bench -- pushes`, bench/lib/galleon-child.ts turns it on).
 * Off by default; when off a push only tests `enabled` once.
 */
export class PushProfile {
  enabled = false;
  private readonly totals = new Map<string, { n: number; ms: number }>();

  /**
   * A lap timer for one push: each call records the time since the previous call (or since `lap`
   * was made) under `phase`. A no-op when the profile is off.
   */
  laps(): (phase: string) => void {
    if (!this.enabled) return noLap;
    let last = performance.now();
    return (phase) => {
      const now = performance.now();
      this.add(phase, now - last);
      last = now;
    };
  }

  /** adds `ms` to `phase` (one occurrence) */
  add(phase: string, ms: number): void {
    const t = this.totals.get(phase);
    if (t) {
      t.n++;
      t.ms += ms;
    } else this.totals.set(phase, { n: 1, ms });
  }

  /** every phase's count and summed milliseconds, in first-recorded order; `reset` empties it */
  snapshot(reset = false): { phase: string; n: number; ms: number }[] {
    const out = [...this.totals].map(([phase, t]) => ({ phase, n: t.n, ms: t.ms }));
    if (reset) this.totals.clear();
    return out;
  }
}

function noLap(_phase: string): void {}

/** The process's push profile (off unless a benchmark turns it on). */
export const pushProfile = new PushProfile();

