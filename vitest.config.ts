import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { createLogger } from "vite";
import { defineConfig } from "vitest/config";
import { FAKE_STRIPE_KEY } from "./test/support/fake-stripe-setup.ts";

const STRIPE_TESTS = "test/worker/stripe/**/*.test.ts";

// The stripe package ships source maps that name sources it does not ship: one warning per module
// of it, hundreds in all, hiding real output. Only that warning is dropped.
const logger = createLogger();
const warnOnce = logger.warnOnce.bind(logger);
logger.warnOnce = (msg, options) => {
  if (!(msg.includes("node_modules/stripe/") && msg.includes("points to missing source files"))) warnOnce(msg, options);
};

// Tests run inside workerd with real D1, Durable Objects, alarms and WebSockets. Two
// configurations of the same Worker: the sandbox provider (the default, as `npm start` runs), and
// Stripe, against a local fake of Stripe's HTTP API that the Stripe project's global setup starts.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  const bindings = {
    TEST_MIGRATIONS: migrations,
    SESSION_SECRET: "test-session-secret-0123456789abcdef",
    ADMIN_TOKEN: "test-admin-token",
    TICKET_SECRET: "test-ticket-secret-0123456789abcdef",
    TICKET_SIGNING_KEY: "MC4CAQAwBQYDK2VwBCIEIADtmQrpH_z7MTG1fiuZX6mufLMQyYODXMp9xW9RB1r1",
    // Sign-in codes go to the dev outbox, where the tests read them (test/worker/helpers.ts).
    EMAIL_PROVIDER: "log",
    // Sequences of the model-based test; `npm run test:soak` raises it.
    MODEL_RUNS: process.env.MODEL_RUNS ?? "300",
    // Of them against a show with lanes (each costs the lanes' calls too); soak: a quarter of MODEL_RUNS.
    MODEL_LANE_RUNS: process.env.MODEL_LANE_RUNS ?? "",
    // Replaying a counterexample fast-check printed: its seed and path.
    MODEL_SEED: process.env.MODEL_SEED ?? "",
    MODEL_PATH: process.env.MODEL_PATH ?? "",
  };
  const test = {
    setupFiles: ["./test/worker/apply-migrations.ts"],
    testTimeout: 30_000,
    // Every sign-in prints its mail (EMAIL_PROVIDER=log): not worth a test run's output.
    onConsoleLog: (log: string) => !log.startsWith("[mail to "),
  };
  return {
    customLogger: logger,
    test: {
      projects: [
        {
          customLogger: logger,
          plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings } })],
          test: { ...test, name: "worker", include: ["test/worker/**/*.test.ts"], exclude: [STRIPE_TESTS] },
        },
        {
          customLogger: logger,
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...bindings,
                  PAYMENT_PROVIDER: "stripe",
                  STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
                  STRIPE_WEBHOOK_SECRET: "whsec_test_catraca_fake_0123456789",
                  STRIPE_API_URL: `http://127.0.0.1:${inject("fakeStripePort")}`,
                },
              },
            })),
          ],
          test: {
            ...test,
            name: "stripe",
            include: [STRIPE_TESTS],
            globalSetup: ["./test/support/fake-stripe-setup.ts"],
          },
        },
      ],
    },
  };
});
