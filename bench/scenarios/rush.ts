/**
 * The rush, and the floor it is measured against. N fans sign in, open their live socket, load the
 * pages (home, the show's page, the catalogue, the show, their state) and ask for a ticket within a
 * few seconds, on a show with M tickets. The requests and the cached show page run interleaved with
 * the same load on the cheapest paths of the same server (a health route; one empty RPC on the
 * show's object), in rounds, so that the ratio to the floor holds on a noisy machine. D1's
 * statements are counted by the server (BENCH_ROUTES' meter: the Worker's and the show object's)
 * around the connects and the page loads: what an arriving fan costs D1 outside sign-in and admission.
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
  /** Each fan loads the home page, the show's page, the catalogue, the show and its state. */
  browse: Phase;
  /** The show's page, from the shared cache, interleaved with the floor. */
  page: Phase;
  /** D1 statements over the connects and the page loads, and per arriving fan. */
  d1: { statements: number; perFan: number };
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

  // From here on the show's object's D1 is counted too.
  await ctx.http.call("POST", `/api/bench/d1/${showId}`, { expect: [200] });
  const d1Before = await ctx.http.d1Statements();
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

  const browse = await phase(
    ctx,
    {
      name: "pages: /, /shows/:id, /api/shows, /api/shows/:id, GET /:id/ingresso",
      op: async (i) => {
        const token = fans[i]!.token;
        for (const path of ["/", `/shows/${showId}`, "/api/shows", `/api/shows/${showId}`, `/${showId}/ingresso`]) {
          await ctx.http.call("GET", path, { token, expect: [200] });
        }
      },
    },
    n,
  );
  const statements = (await ctx.http.d1Statements()) - d1Before;
  ctx.log(
    `  D1: ${statements} statements over ${n} fans' connects and page loads (${(statements / n).toFixed(4)} per fan)`,
  );

  ctx.log(`  the requests, interleaved with the floor in ${rounds} rounds`);
  let admitted = 0;
  let waiting = 0;
  const [health, rpc, page, request] = await interleaved(
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
        name: "GET /shows/:showId (shared cache)",
        op: async () => {
          await ctx.http.call("GET", `/shows/${showId}`, { expect: [200] });
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
      browse,
      page: page!,
      d1: { statements, perFan: statements / n },
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
