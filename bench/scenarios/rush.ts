/**
 * The rush, and the floor it is measured against. N fans sign in, open their live socket and ask
 * for a ticket within a few seconds, on a show with M tickets. The requests run interleaved with
 * the same load on the cheapest paths of the same server (a health route; one empty RPC on the
 * show's object), in rounds, so that the ratio to the floor holds on a noisy machine.
 */
import type { Context } from "../lib/context.ts";
import type { Fan } from "../lib/http.ts";
import { FanSocket } from "../lib/sockets.ts";
import { sleep } from "../lib/stats.ts";
import { interleaved, type Phase, phase } from "./phase.ts";

export interface Floor {
  health: Phase;
  rpc: Phase;
}

export interface Rush {
  showId: string;
  signIn: Phase;
  connect: Phase;
  request: Phase;
  admitted: number;
  waiting: number;
  socketsHeld: number;
  memoryMiB: { start: number; afterSockets: number; afterRequests: number; perSocketKiB: number };
}

export async function rush(ctx: Context): Promise<{ rush: Rush; floor: Floor; sockets: FanSocket[] }> {
  const { fans: n, tickets, concurrency, rounds } = ctx.opts;
  ctx.log(`rush: ${n} fans, ${tickets} tickets, ${concurrency} in flight`);
  const showId = await ctx.http.createShow({ capacity: tickets, holdSeconds: 600 });
  const start = ctx.server.rssMiB();
  const fans: Fan[] = new Array(n);
  const signIn = await phase(
    ctx,
    {
      name: "sign in by code: POST /api/sessions, the outbox, /verify",
      op: async (i) => {
        fans[i] = await ctx.http.signIn(ctx.fans.email(i));
      },
    },
    n,
  );
  ctx.fans.adopt(fans);

  const sockets: FanSocket[] = new Array(n);
  const connect = await phase(
    ctx,
    {
      name: "WebSocket connect + greeting",
      op: async (i) => {
        sockets[i] = await FanSocket.connect(ctx.http.base, showId, fans[i]!);
      },
    },
    n,
  );
  const afterSockets = ctx.server.rssMiB();

  ctx.log(`  the requests, interleaved with the floor in ${rounds} rounds`);
  let admitted = 0;
  let waiting = 0;
  const [health, rpc, request] = await interleaved(
    ctx,
    [
      {
        name: "floor: GET /api/health",
        op: async () => {
          await ctx.http.call("GET", "/api/health", { expect: [200] });
        },
      },
      {
        name: "floor: one empty object RPC",
        op: async () => {
          await ctx.http.call("GET", `/api/bench/rpc/${showId}`, { expect: [200] });
        },
      },
      {
        name: "PATCH /:showId/ingresso/request",
        op: async (i) => {
          const res = await ctx.http.request(showId, fans[i]!);
          if (res.status === 200) admitted += 1;
          else waiting += 1;
        },
      },
    ],
    n,
    rounds,
  );
  // Let the coalesced position passes run before reading memory.
  await sleep(1_500);
  const afterRequests = ctx.server.rssMiB();
  const socketsHeld = sockets.filter((s) => s?.open).length;
  if (admitted !== Math.min(tickets, n)) throw new Error(`rush: ${admitted} fans admitted, expected ${tickets}`);
  const serverWaiting = await ctx.http.waiting(showId);
  if (serverWaiting !== n - admitted) {
    throw new Error(`rush: the server counts ${serverWaiting} waiting, expected ${n - admitted}`);
  }
  return {
    rush: {
      showId,
      signIn,
      connect,
      request: request!,
      admitted,
      waiting,
      socketsHeld,
      memoryMiB: { start, afterSockets, afterRequests, perSocketKiB: ((afterSockets - start) * 1024) / n },
    },
    floor: { health: health!, rpc: rpc! },
    sockets,
  };
}
