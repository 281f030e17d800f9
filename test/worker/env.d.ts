declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    MODEL_RUNS: string;
    MODEL_LANE_RUNS: string;
    MODEL_SEED: string;
    MODEL_PATH: string;
    // The Stripe project's bindings (vitest.config.ts); unset in the sandbox project.
    STRIPE_API_URL?: string;
    STRIPE_WEBHOOK_SECRET?: string;
  }
}
