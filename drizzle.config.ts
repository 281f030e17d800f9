import { defineConfig } from "drizzle-kit";

// drizzle-kit writes SQL migrations straight into wrangler's migrations_dir,
// so `wrangler d1 migrations apply` (local, remote and in tests) runs what it generates.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
