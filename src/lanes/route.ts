/**
 * Which object the Worker calls for a fan on a show (#13). With one lane, the show's own object
 * (`SHOWS`, today's path, unchanged); with K lanes, the fan's lane (`LANES`, a stable hash of show
 * and fan) for what a waiting room does: joins, cancels, the fan's state and its socket. The lane
 * knows its fans' states (the coordinator mails them) and forwards a holder's call to the
 * coordinator itself, so the Worker never has to know whether a fan waits or holds. Booking, the
 * grace of a hold and the payments' hold checks always go to the show's object.
 */
import type { KnownShow } from "../edge/show-directory";
import type { Outcome, TicketClass } from "../show/types";
import { laneName, laneOf } from "./key";

type Show = Pick<KnownShow, "id" | "lanes">;

function laneStub(env: Env, show: Show, fanId: string) {
  return env.LANES.getByName(laneName(show.id, laneOf(show.id, fanId, show.lanes)));
}

/** `PATCH /:showId/ingresso/request`; `stamp` is when this Worker got the request (the fan's place with lanes). */
export function requestTicket(
  env: Env,
  show: Show,
  fanId: string,
  wanted: TicketClass,
  stamp: number,
): Promise<Outcome> {
  if (show.lanes > 1) return laneStub(env, show, fanId).request(show.id, fanId, wanted, stamp);
  return env.SHOWS.getByName(show.id).request(show.id, fanId, wanted);
}

/** `PATCH /:showId/ingresso/cancel`. */
export function cancelTicket(env: Env, show: Show, fanId: string): Promise<Outcome> {
  if (show.lanes > 1) return laneStub(env, show, fanId).cancel(show.id, fanId);
  return env.SHOWS.getByName(show.id).cancel(show.id, fanId);
}

/** `GET /:showId/ingresso` (and the checkout page's read of the hold). */
export function fanState(env: Env, show: Show, fanId: string): Promise<Outcome> {
  if (show.lanes > 1) return laneStub(env, show, fanId).state(show.id, fanId);
  return env.SHOWS.getByName(show.id).state(show.id, fanId);
}

/** The fan's socket (`GET /:showId/ingresso/ws`), the request already authenticated. */
export function liveSocket(env: Env, show: Show, fanId: string, request: Request): Promise<Response> {
  if (show.lanes > 1) return laneStub(env, show, fanId).fetch(request);
  return env.SHOWS.getByName(show.id).fetch(request);
}

/** Waiting fans of the show: per class, summed across its lanes, and per lane. */
export async function showWaiting(env: Env, show: Show) {
  const perLane =
    show.lanes > 1
      ? await Promise.all(
          Array.from({ length: show.lanes }, (_, lane) =>
            env.LANES.getByName(laneName(show.id, lane)).waitingByClass(),
          ),
        )
      : [await env.SHOWS.getByName(show.id).waitingByClass()];
  const byClass = new Map<string, TicketClass & { waiting: number }>();
  for (const w of perLane.flat()) {
    const key = `${w.sector}\u0000${w.meia}`;
    byClass.set(key, { sector: w.sector, meia: w.meia, waiting: (byClass.get(key)?.waiting ?? 0) + w.waiting });
  }
  const lanes = perLane.map((list, lane) => ({ lane, waiting: list.reduce((n, w) => n + w.waiting, 0) }));
  return { byClass: [...byClass.values()], lanes, waiting: lanes.reduce((n, l) => n + l.waiting, 0) };
}
