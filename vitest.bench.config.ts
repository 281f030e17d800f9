import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The benchmark inside workerd (bench/inside/), run by `npm run bench`, never by `npm test`.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            SESSION_SECRET: "bench-session-secret-0123456789abcdef",
            ADMIN_TOKEN: "test-admin-token",
            EMAIL_PROVIDER: "log",
          },
        },
      }),
    ],
    test: {
      include: ["bench/inside/**/*.bench.ts"],
      setupFiles: ["./test/worker/apply-migrations.ts"],
      testTimeout: 600_000,
    },
  };
});
