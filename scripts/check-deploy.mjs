// The deploy, checked without deploying: `wrangler deploy --dry-run` bundles the Worker exactly as
// `npm run deploy` would (bindings, Durable Object migrations, assets) and fails if it would not
// deploy; then the bundle's gzipped size must stay within the Workers free plan's 3 MiB.
// Run by CI (.ci/run) after `npm run build`, and by `npm run check:deploy`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

const LIMIT_BYTES = 3 * 1024 * 1024;
const root = path.resolve(import.meta.dirname, "..");
const outdir = mkdtempSync(path.join(tmpdir(), "catraca-deploy-"));

try {
  const wrangler = path.join(root, "node_modules/wrangler/bin/wrangler.js");
  const run = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outdir], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (run.status !== 0) {
    console.error(`wrangler deploy --dry-run failed (exit ${run.status}): this Worker would not deploy`);
    process.exit(1);
  }
  // The modules the Worker uploads: everything in the bundle but source maps and wrangler's note.
  const modules = readdirSync(outdir).filter((f) => !f.endsWith(".map") && f !== "README.md");
  const raw = modules.reduce((n, f) => n + readFileSync(path.join(outdir, f)).length, 0);
  const gzipped = modules.reduce((n, f) => n + gzipSync(readFileSync(path.join(outdir, f)), { level: 9 }).length, 0);
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`Worker bundle: ${kib(raw)}, ${kib(gzipped)} gzipped (limit ${kib(LIMIT_BYTES)} gzipped)`);
  if (gzipped > LIMIT_BYTES) {
    console.error("the Worker bundle is over the free plan's 3 MiB gzipped: it would not deploy there");
    process.exit(1);
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
