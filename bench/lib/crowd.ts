/**
 * The crowd: waiting fans' sockets held on a worker thread. A position pass sends every waiting fan
 * a message; taking those on the main thread would delay the few messages being timed (and the
 * requests being sent) behind thousands of others in one event loop, which measures the client.
 */
import { parentPort, Worker } from "node:worker_threads";
import type { Fan } from "./http.ts";
import { closedLoop } from "./load.ts";
import { closeAll, FanSocket } from "./sockets.ts";

type Command = { open: { base: string; showId: string; fans: Fan[]; concurrency: number } } | { close: true };
type Reply = { opened: number; failed: number; firstError?: string } | { closed: true; messages: number };

/** The crowd's side, in the worker thread. */
function serve(port: NonNullable<typeof parentPort>) {
  let sockets: FanSocket[] = [];
  port.on("message", async (command: Command) => {
    if ("open" in command) {
      const { base, showId, fans, concurrency } = command.open;
      const opened: FanSocket[] = [];
      const run = await closedLoop(fans.length, concurrency, async (i) => {
        opened.push(await FanSocket.connect(base, showId, fans[i]!));
      });
      sockets = opened;
      port.postMessage({ opened: opened.length, failed: run.errors, firstError: run.firstError } satisfies Reply);
    } else {
      const messages = sockets.reduce((sum, s) => sum + s.messages, 0);
      await closeAll(sockets);
      port.postMessage({ closed: true, messages } satisfies Reply);
    }
  });
}

if (parentPort) serve(parentPort);

/** The main thread's handle on a crowd: open its sockets on one show, close them all. */
export class Crowd {
  private readonly worker = new Worker(new URL(import.meta.url));

  private ask(command: Command): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.worker.once("message", resolve);
      this.worker.once("error", reject);
      this.worker.postMessage(command);
    });
  }

  async open(base: string, showId: string, fans: Fan[], concurrency: number): Promise<number> {
    const reply = await this.ask({ open: { base, showId, fans, concurrency } });
    if (!("opened" in reply)) throw new Error("crowd: unexpected reply");
    if (reply.failed > 0) throw new Error(`crowd: ${reply.failed} sockets failed: ${reply.firstError}`);
    return reply.opened;
  }

  /** Close every socket; answers how many messages the crowd received. */
  async close(): Promise<number> {
    const reply = await this.ask({ close: true });
    return "messages" in reply ? reply.messages : 0;
  }

  async dispose(): Promise<void> {
    await this.worker.terminate();
  }
}
