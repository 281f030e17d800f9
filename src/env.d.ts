// Vars deliberately absent from wrangler.toml, so that a deployed Worker never has them set.
interface Env {
  /** "on" serves the benchmark's floor routes under /api/bench (see src/routes/bench.ts). */
  BENCH_ROUTES?: string;
  /** Resend's API key, a secret (`wrangler secret put RESEND_API_KEY`), needed when EMAIL_PROVIDER is "resend". */
  RESEND_API_KEY?: string;
}
