/** What every scenario module exports, and the options `npm run bench -- …` passes to it. */
export interface BenchOptions {
  /** seconds of load per measured run (hot reads, downloads) */
  duration: number;
  /** rounds per comparison (Galleon and baseline alternate within each round); at least 3 */
  rounds: number;
  /** connections of the closed-loop load generator for hot reads */
  connections: number;
  /** soak length in minutes */
  minutes: number;
  /** scale: reuse an already loaded scale database instead of reloading it */
  reuse: boolean;
  /** scale: ids and versions to load */
  scaleIds: number;
  scaleVersions: number;
  /** write a --cpu-prof profile of every Galleon process into bench/results/profiles/ */
  cpuProf: boolean;
  /** soak: which database the server runs on */
  soakDb: 'embedded' | 'postgres';
  /** soak: pushes add versions to 1,000 other ids ('own', default) or to the ids being read ('read') */
  soakPushTo: 'own' | 'read';
}

export interface Scenario {
  name: string;
  /** one line for --help */
  summary: string;
  /** part of the default run (everything but soak) */
  inDefaultRun: boolean;
  run(opts: BenchOptions): Promise<void>;
}
