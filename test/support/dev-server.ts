/**
 * Starts `wrangler dev` on a free loopback port with its own persisted state directory, for the
 * end-to-end, browser and benchmark layers. Plain Node (type stripping): no build step needed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");

export const TEST_ADMIN_TOKEN = "e2e-admin-token";
export const TEST_SESSION_SECRET = "e2e-session-secret-0123456789abcdef";
export const TEST_TICKET_SECRET = "e2e-ticket-secret-0123456789abcdef";
export const TEST_TICKET_SIGNING_KEY = "MC4CAQAwBQYDK2VwBCIEIGO0Rvu8kG2jUUF0RSekdnbpmQ2b33kPL_4imF9c0b5W";

export interface DevServerOptions {
  /** Reuse a state directory (e.g. to restart on the same state); a fresh temp dir by default. */
  stateDir?: string;
  vars?: Record<string, string>;
  /** SQL files (relative to the project) executed on the local D1 after the migrations, e.g. demo data. */
  seedFiles?: string[];
  /** Extra `wrangler dev` arguments (the benchmarks pass `--log-level warn`). */
  args?: string[];
  /** Extra environment for wrangler (the benchmarks turn its local observability off). */
  env?: Record<string, string>;
  /** Print wrangler's output (for debugging). */
  verbose?: boolean;
}

export interface DevServer {
  url: string;
  port: number;
  stateDir: string;
  /** wrangler's pid; its workerd child is in the same process group. */
  pid: number;
  /** The DevTools inspector of the Worker (CPU profiles). */
  inspectorPort: number;
  stop(): Promise<void>;
  /** Stop and start again on the same state directory and port. */
  restart(): Promise<void>;
  /** Stop and remove the state directory. */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0", ...extra };
}

function run(args: string[], verbose: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: childEnv(), stdio: "pipe" });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => {
      if (verbose) process.stdout.write(out);
      code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(" ")} exited ${code}:\n${out}`));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early (${child.exitCode}):\n${output()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs} ms:\n${output()}`);
}

function killGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }, 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const stateDir = opts.stateDir ?? mkdtempSync(path.join(tmpdir(), "catraca-e2e-"));
  const verbose = opts.verbose ?? process.env.CATRACA_VERBOSE === "1";
  const vars = {
    SESSION_SECRET: TEST_SESSION_SECRET,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    TICKET_SECRET: TEST_TICKET_SECRET,
    TICKET_SIGNING_KEY: TEST_TICKET_SIGNING_KEY,
    // Sign-in codes go to the dev outbox, where the clients read them (test/support/client.ts).
    EMAIL_PROVIDER: "log",
    ...opts.vars,
  };
  await run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir], verbose);
  for (const file of opts.seedFiles ?? []) {
    await run(["d1", "execute", "DB", "--local", "--persist-to", stateDir, "--file", file], verbose);
  }
  const port = await freePort();
  let child: ChildProcess;
  let output = "";
  let inspectorPort = 0;

  const launch = async () => {
    inspectorPort = await freePort();
    output = "";
    child = spawn(
      process.execPath,
      [
        WRANGLER,
        "dev",
        "--ip",
        "127.0.0.1",
        "--port",
        String(port),
        "--inspector-port",
        String(inspectorPort),
        "--persist-to",
        stateDir,
        "--show-interactive-dev-session=false",
        ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
        ...(opts.args ?? []),
      ],
      { cwd: ROOT, env: childEnv(opts.env), stdio: "pipe", detached: true },
    );
    child.stdout?.on("data", (d) => {
      output += d;
      if (verbose) process.stdout.write(d);
    });
    child.stderr?.on("data", (d) => {
      output += d;
      if (verbose) process.stderr.write(d);
    });
    await waitForHealth(`http://127.0.0.1:${port}`, child, () => output);
  };

  await launch();
  const server: DevServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    stateDir,
    get pid() {
      return child.pid ?? -1;
    },
    get inspectorPort() {
      return inspectorPort;
    },
    stop: () => killGroup(child),
    restart: async () => {
      await killGroup(child);
      await launch();
    },
    dispose: async () => {
      await killGroup(child);
      if (!opts.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return server;
}
