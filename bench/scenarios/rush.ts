/**
 * The rush: N fans sign in, open their live socket and ask for a ticket within a few seconds, on
 * a show with M tickets. Each step is one phase over all fans, so its throughput can be set against
 * the floor measured in the same run.
 */
import type { Context } from "../lib/context.ts";
import type { Fan } from "../lib/http.ts";
import { FanSocket } from "../lib/sockets.ts";
import { sleep } from "../lib/stats.ts";
import { type Phase, phase } from "./phase.ts";

export interface Rush {
  showId: string;
  signIn: Phase;
  connect: Phase;
  request: Phase;
  admitted: number;
  waiting: number;
  socketsHeld: number;
  memoryMiB: { start: number; afterSockets: number; afterRequests: number; perSocketKiB: number };
  sockets: FanSocket[];
}

export async function rush(ctx: Context, showId: string): Promise<Rush> {
  const { fans: n, tickets } = ctx.opts;
  ctx.log(`rush: ${n} fans, ${tickets} tickets, ${ctx.opts.concurrency} in flight`);
  const start = ctx.server.rssMiB();
  const fans: Fan[] = new Array(n);
  const signIn = await phase(ctx, "POST /api/sessions", n, async (i) => {
    fans[i] = await ctx.http.signIn(ctx.fans.email(i));
  });
  ctx.fans.adopt(fans);

  const sockets: FanSocket[] = new Array(n);
  const connect = await phase(ctx, "WebSocket connect + greeting", n, async (i) => {
    sockets[i] = await FanSocket.connect(ctx.http.base, showId, fans[i]!);
  });
  const afterSockets = ctx.server.rssMiB();

  let admitted = 0;
  let waiting = 0;
  const request = await phase(ctx, "PATCH /:showId/ingresso/request", n, async (i) => {
    const res = await ctx.http.request(showId, fans[i]!);
    if (res.status === 200) admitted += 1;
    else waiting += 1;
  });
  // Let the coalesced position passes run before reading memory.
  await sleep(1_500);
  const afterRequests = ctx.server.rssMiB();
  const socketsHeld = sockets.filter((s) => s?.open).length;
  if (admitted !== Math.min(tickets, n)) throw new Error(`rush: ${admitted} fans admitted, expected ${tickets}`);
  const serverWaiting = await ctx.http.waiting(showId);
  if (serverWaiting !== n - admitted)
    throw new Error(`rush: the server counts ${serverWaiting} waiting, expected ${n - admitted}`);
  return {
    showId,
    signIn,
    connect,
    request,
    admitted,
    waiting,
    socketsHeld,
    memoryMiB: { start, afterSockets, afterRequests, perSocketKiB: ((afterSockets - start) * 1024) / n },
    sockets,
  };
}
