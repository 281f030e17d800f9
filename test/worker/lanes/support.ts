/**
 * For tests of shows with lanes: the lanes' objects and calls straight to them, with the stamp a
 * Worker would have taken, and fans that only wait (rows in D1's users, for the claims of those
 * admitted; signing thousands in by code would only slow the tests down).
 */
import { env } from "cloudflare:workers";
import { laneName, laneOf } from "../../../src/lanes/key";
import { FAN_HEADER, type ServerMessage, SHOW_HEADER, type StateMessage } from "../../../src/messages";
import type { Outcome, TicketClass } from "../../../src/show/types";

export const PISTA: TicketClass = { sector: "Pista", meia: false };

export function laneStub(showId: string, lane: number) {
  return env.LANES.getByName(laneName(showId, lane));
}

export function fanLane(show: { id: string; lanes: number }, fanId: string) {
  return laneStub(show.id, laneOf(show.id, fanId, show.lanes));
}

/** Fans as rows of D1's users, many per statement. */
export async function waitingFans(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => `usr_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`);
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < ids.length; i += 25) {
    const chunk = ids.slice(i, i + 25);
    statements.push(
      env.DB.prepare(
        `INSERT INTO users (id, name, email, created_at) VALUES ${chunk.map(() => "(?, 'Fã', ?, 0)").join(", ")}`,
      ).bind(...chunk.flatMap((id) => [id, `${id}@example.com`])),
    );
  }
  if (statements.length > 0) await env.DB.batch(statements);
  return ids;
}

/** The fan's join, as the Worker makes it: to the fan's lane, stamped `stamp`. */
export function join(show: { id: string; lanes: number }, fanId: string, stamp: number, c = PISTA): Promise<Outcome> {
  return fanLane(show, fanId).request(show.id, fanId, c, stamp);
}

export async function stateAt(show: { id: string; lanes: number }, fanId: string) {
  const out = await fanLane(show, fanId).state(show.id, fanId);
  if (!out.ok) throw new Error(`state: ${out.code} ${out.message}`);
  return out.state;
}

/** A fan's socket straight to its lane (the Worker sets these headers after authenticating). */
export async function socketAt(show: { id: string; lanes: number }, fanId: string) {
  const res = await fanLane(show, fanId).fetch("http://catraca.test/ws", {
    headers: { upgrade: "websocket", [FAN_HEADER]: fanId, [SHOW_HEADER]: show.id },
  });
  const ws = res.webSocket;
  if (!ws) throw new Error(`expected a WebSocket, got ${res.status}`);
  // The fan's own messages; the show-wide availability is another kind (test/worker/availability.test.ts).
  const messages: { at: number; m: StateMessage }[] = [];
  ws.addEventListener("message", (e) => {
    if (typeof e.data !== "string" || e.data === "pong") return;
    const m = JSON.parse(e.data) as ServerMessage;
    if (m.type === "state") messages.push({ at: Date.now(), m });
  });
  ws.accept();
  return { ws, messages, positions: () => messages.map((x) => x.m.position) };
}
