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
            TICKET_SIGNING_KEY: "MC4CAQAwBQYDK2VwBCIEIADtmQrpH_z7MTG1fiuZX6mufLMQyYODXMp9xW9RB1r1",
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
    },
  };
});
