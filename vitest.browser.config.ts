import { defineConfig } from "vitest/config";

// The browser layer: Debian's Chromium (playwright-core) against a real `wrangler dev`.
// `npm run test:browser` builds the page first.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
