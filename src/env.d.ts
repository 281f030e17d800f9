// Vars deliberately absent from wrangler.toml, so that a deployed Worker never has them set.
interface Env {
  /** "on" serves the benchmark's floor routes under /api/bench (see src/routes/bench.ts). */
  BENCH_ROUTES?: string;
  /** Stripe's secret API key (`wrangler secret put STRIPE_SECRET_KEY`): `sk_test_…` in test mode, `sk_live_…` to sell. */
  STRIPE_SECRET_KEY?: string;
  /** The signing secret of the Stripe webhook endpoint (`whsec_…`); unset, no Stripe webhook verifies. */
  STRIPE_WEBHOOK_SECRET?: string;
  /** Another base URL for Stripe's API (the tests' local fake); unset everywhere else. */
  STRIPE_API_URL?: string;
  /** Resend's API key, a secret (`wrangler secret put RESEND_API_KEY`), needed when EMAIL_PROVIDER is "resend". */
  RESEND_API_KEY?: string;
}
