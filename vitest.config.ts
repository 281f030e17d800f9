import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with real D1, Durable Objects, alarms and WebSockets.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            SESSION_SECRET: "test-session-secret-0123456789abcdef",
            ADMIN_TOKEN: "test-admin-token",
            TICKET_SECRET: "test-ticket-secret-0123456789abcdef",
            // Sign-in codes go to the dev outbox, where the tests read them (test/worker/helpers.ts).
            EMAIL_PROVIDER: "log",
            // Sequences of the model-based test; `npm run test:soak` raises it.
            MODEL_RUNS: process.env.MODEL_RUNS ?? "300",
          },
        },
      }),
    ],
    test: {
      include: ["test/worker/**/*.test.ts"],
      setupFiles: ["./test/worker/apply-migrations.ts"],
      testTimeout: 30_000,
      // Every sign-in prints its mail (EMAIL_PROVIDER=log): not worth a test run's output.
      onConsoleLog: (log: string) => !log.startsWith("[mail to "),
    },
  };
});
