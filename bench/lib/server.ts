/** `wrangler dev` for the benchmark: fresh state, loopback, bench routes on, rate limits off. */
import { type DevServer, startDevServer } from "../../test/support/dev-server.ts";
import { cpuMs, rssBytes, type Workerd, workerdProcesses } from "./proc.ts";

export interface BenchServer {
  dev: DevServer;
  app: Workerd;
  proxy: Workerd | undefined;
  /** The app's resident memory, MiB. */
  rssMiB(): number;
  /** CPU (ms) used by the app and the proxy since the server started. */
  cpu(): { app: number; proxy: number };
  dispose(): Promise<void>;
}

export async function startBenchServer(verbose: boolean): Promise<BenchServer> {
  const dev = await startDevServer({
    // RATE_LIMIT: off keeps per-IP limits (sign-in, requests) out of a load test from one address.
    vars: { RATE_LIMIT: "off", BENCH_ROUTES: "on" },
    // Request logging costs a round trip to wrangler's Node process per request: not the app's cost.
    args: ["--log-level", "warn"],
    // wrangler dev's local observability streams every span (each SQL statement, each RPC) to a
    // collector in the app's own process: about a fifth of its CPU, a dev tool's cost, not the app's.
    env: { X_LOCAL_OBSERVABILITY: "false" },
    verbose,
  });
  try {
    const found = workerdProcesses(dev.pid, dev.port);
    const app = found.find((w) => w.role === "app");
    if (!app) throw new Error(`no workerd process found in wrangler's process group ${dev.pid}`);
    const proxy = found.find((w) => w.role === "proxy");
    return {
      dev,
      app,
      proxy,
      rssMiB: () => rssBytes(app.pid) / 1024 / 1024,
      cpu: () => ({ app: cpuMs(app.pid), proxy: proxy ? cpuMs(proxy.pid) : 0 }),
      dispose: () => dev.dispose(),
    };
  } catch (err) {
    await dev.dispose();
    throw err;
  }
}

/** Run `body` and report the server CPU it cost, per operation, in microseconds. */
export async function withServerCpu<T>(
  server: BenchServer,
  ops: number,
  body: () => Promise<T>,
): Promise<{ result: T; appUsPerOp: number; proxyUsPerOp: number }> {
  const before = server.cpu();
  const result = await body();
  const after = server.cpu();
  return {
    result,
    appUsPerOp: ((after.app - before.app) * 1000) / ops,
    proxyUsPerOp: ((after.proxy - before.proxy) * 1000) / ops,
  };
}
