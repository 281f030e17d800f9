// Vars deliberately absent from wrangler.toml, so that a deployed Worker never has them set.
interface Env {
  /** "on" serves the benchmark's floor routes under /api/bench (see src/routes/bench.ts). */
  BENCH_ROUTES?: string;
}
