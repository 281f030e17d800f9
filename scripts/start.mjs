// `npm start`: everything a newcomer needs to see a working sale on http://localhost:8787.
// Local secrets, the fans' page, D1 migrations, demo data (idempotent), then `wrangler dev`.
import { spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const wrangler = path.join(root, "node_modules/wrangler/bin/wrangler.js");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

function step(title, args, extraEnv = {}) {
  console.log(`\n▶ ${title}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env: { ...env, ...extraEnv } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const devVars = path.join(root, ".dev.vars");
const example = path.join(root, ".dev.vars.example");
if (!existsSync(devVars)) {
  copyFileSync(example, devVars);
  console.log("Created .dev.vars from .dev.vars.example (local secrets).");
} else {
  // A secret added to the example since this .dev.vars was made: add its local default.
  const have = new Set(readFileSync(devVars, "utf8").match(/^[A-Z_]+(?==)/gm) ?? []);
  const missing = readFileSync(example, "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line) && !have.has(line.split("=")[0]));
  if (missing.length > 0) {
    appendFileSync(devVars, `\n${missing.join("\n")}\n`);
    console.log(`Added to .dev.vars: ${missing.map((l) => l.split("=")[0]).join(", ")}.`);
  }
}
if (existsSync(path.join(root, "scripts/build-client.mjs"))) {
  step("Building the fans' page", [path.join(root, "scripts/build-client.mjs")]);
}
// CI=true: apply without the interactive confirmation.
step("Applying D1 migrations (local)", [wrangler, "d1", "migrations", "apply", "DB", "--local"], { CI: "true" });
step("Loading demo data (local)", [wrangler, "d1", "execute", "DB", "--local", "--file", "scripts/demo-data.sql"], {
  CI: "true",
});
// `npm start -- --port 9000` (or any other wrangler dev option) passes through; 8787 is the default.
const extra = process.argv.slice(2);
const portArg = extra.findIndex((a) => a === "--port" || a.startsWith("--port="));
const port = portArg < 0 ? "8787" : extra[portArg].includes("=") ? extra[portArg].split("=")[1] : extra[portArg + 1];
console.log(
  `\n▶ Starting wrangler dev on http://localhost:${port}` +
    `\n  organizers' console: http://localhost:${port}/organizador (sign in with ADMIN_TOKEN from .dev.vars)\n`,
);
step("wrangler dev", [wrangler, "dev", ...(portArg < 0 ? ["--port", port] : []), ...extra]);
