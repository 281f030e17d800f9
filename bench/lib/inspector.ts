/**
 * The app's isolate (the Worker and the show objects) through wrangler's DevTools inspector:
 * - `--cpu-prof`: a CPU profile per scenario, written to bench/profiles/<scenario>.cpuprofile (open
 *   it in Chrome DevTools or VS Code), with the heaviest functions by self time printed;
 * - the isolate's JavaScript heap, which the soak samples next to the process's RSS.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Context } from "./context.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export class Inspector {
  private readonly ws: WebSocket;
  private nextId = 1;
  private readonly waiting = new Map<number, (result: unknown) => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (e) => {
      const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown };
      if (msg.id !== undefined) this.waiting.get(msg.id)?.(msg.result);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const [target] = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    if (!target) throw new Error("the inspector lists no target");
    // The inspector only takes connections that say they come from a local page. Node's WebSocket
    // (undici) takes headers in its second argument, which the DOM typings do not know.
    const init = { headers: { origin: "http://localhost" } } as unknown as string[];
    const ws = new WebSocket(target.webSocketDebuggerUrl, init);
    await new Promise((resolve, reject) => {
      ws.addEventListener("open", resolve, { once: true });
      ws.addEventListener("error", reject, { once: true });
    });
    return new Inspector(ws);
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve) => {
      this.waiting.set(id, (r) => resolve(r as T));
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** The isolate's JavaScript heap in use (MiB), garbage included. */
  async heapUsedMiB(): Promise<number> {
    const { usedSize } = await this.send<{ usedSize: number }>("Runtime.getHeapUsage");
    return usedSize / 1024 / 1024;
  }

  close() {
    this.ws.close();
  }
}

export async function profiled<T>(ctx: Context, name: string, body: () => Promise<T>): Promise<T> {
  if (!ctx.opts.cpuProfile) return body();
  const inspector = await Inspector.connect(ctx.server.dev.inspectorPort);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 200 });
  await inspector.send("Profiler.start");
  try {
    return await body();
  } finally {
    const { profile } = await inspector.send<{ profile: Profile }>("Profiler.stop");
    inspector.close();
    const dir = path.join(import.meta.dirname, "../profiles");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    ctx.log(`  profile: ${path.relative(process.cwd(), file)}\n${topSelfTime(profile, 15)}`);
  }
}

/** The functions with the most self time, aggregated by name and location. */
function topSelfTime(profile: Profile, count: number): string {
  const total = profile.samples?.length ?? profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const byFrame = new Map<string, number>();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + (n.hitCount ?? 0));
  }
  return [...byFrame.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([k, hits]) => `    ${((hits / Math.max(1, total)) * 100).toFixed(1).padStart(5)}%  ${k}`)
    .join("\n");
}
