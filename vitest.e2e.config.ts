import { defineConfig } from "vitest/config";

// The end-to-end layer: real `wrangler dev` processes driven over HTTP and WebSocket from Node.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
