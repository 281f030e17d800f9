/**
 * For tests of the fair opening (#14): a show with a pre-queue open now and its draw an hour
 * away, fans entering it through the object a Worker would call (the show's object with one lane,
 * the fan's lane with K), and the opening itself: every object's clock moved to the draw, and the
 * alarms that would fire then fired.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { laneName } from "../../../src/lanes/key";
import { FAN_HEADER, SHOW_HEADER, type StateMessage } from "../../../src/messages";
import type { TicketClass } from "../../../src/show/types";
import { setClock } from "../faults/inject";
import { createShow, type SectorSpec, settled, showStub } from "../helpers";
import { fanLane, laneStub, PISTA, socketAt, stateAt } from "../lanes/support";

export interface PrequeueShow {
  id: string;
  lanes: number;
  salesOpenAt: number;
  commitment: string;
}

export async function prequeueShow(
  opts: { lanes?: number; tickets?: number; sectors?: SectorSpec[] } = {},
): Promise<PrequeueShow> {
  const salesOpenAt = Date.now() + 3_600_000;
  const show = await createShow({
    sectors: opts.sectors ?? [{ name: "Pista", capacity: opts.tickets ?? 1, priceCents: 5000, meiaShare: 0 }],
    lanes: opts.lanes ?? 1,
    salesOpenAt: new Date(salesOpenAt).toISOString(),
    prequeueOpensAt: new Date(Date.now() - 60_000).toISOString(),
  });
  if (!show.drawCommitment) throw new Error("a show with a pre-queue has a commitment");
  return { id: show.id, lanes: opts.lanes ?? 1, salesOpenAt, commitment: show.drawCommitment };
}

/** The fan's request, as the Worker makes it. */
export function enter(show: PrequeueShow, fanId: string, c: TicketClass = PISTA) {
  if (show.lanes > 1) return fanLane(show, fanId).request(show.id, fanId, c, Date.now());
  return showStub(show.id).request(show.id, fanId, c);
}

export function leave(show: PrequeueShow, fanId: string) {
  if (show.lanes > 1) return fanLane(show, fanId).cancel(show.id, fanId);
  return showStub(show.id).cancel(show.id, fanId);
}

export async function stateOf(show: PrequeueShow, fanId: string) {
  if (show.lanes > 1) return stateAt(show, fanId);
  const out = await showStub(show.id).state(show.id, fanId);
  if (!out.ok) throw new Error(`state: ${out.code} ${out.message}`);
  return out.state;
}

/** Every object of the show keeps time from `t` on (the show's, and each lane's). */
export function clockAt(show: PrequeueShow, t: number): void {
  setClock(show.id, t);
  for (let lane = 0; lane < show.lanes; lane++) setClock(laneName(show.id, lane), t);
}

/**
 * The opening, `after` ms past `salesOpenAt`: the clocks moved there, and the alarms due fired (the
 * show's; with lanes each lane's, which asks the show for the draw); then, with lanes, everything
 * each lane's draw set off is let finish.
 */
export async function opening(show: PrequeueShow, after = 0): Promise<void> {
  clockAt(show, show.salesOpenAt + after);
  await runDurableObjectAlarm(showStub(show.id));
  if (show.lanes <= 1) return;
  for (let lane = 0; lane < show.lanes; lane++) await runDurableObjectAlarm(laneStub(show.id, lane));
  const drawn = await showStub(show.id).drawResult(show.id);
  if (!drawn) throw new Error("the show did not draw at its opening");
  for (let lane = 0; lane < show.lanes; lane++) await laneStub(show.id, lane).drawEntrants(show.id, drawn.seed);
  await settled(show.id);
}

/** The lowercase hex SHA-256 of `data`, computed here from the words (not with the code under test). */
export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** The fans in the order the issue specifies: ascending sha256(`${seed}:${fanId}`). */
export async function expectedOrder(seed: string, fanIds: string[]): Promise<string[]> {
  const keyed = await Promise.all(fanIds.map(async (fanId) => ({ fanId, key: await sha256Hex(`${seed}:${fanId}`) })));
  return keyed.sort((a, b) => (a.key < b.key ? -1 : 1)).map((k) => k.fanId);
}

/** A fan's socket straight to the object that serves it (the Worker sets these headers after authenticating). */
export async function socketOf(show: PrequeueShow, fanId: string) {
  if (show.lanes > 1) return socketAt(show, fanId);
  const res = await showStub(show.id).fetch("http://catraca.test/ws", {
    headers: { upgrade: "websocket", [FAN_HEADER]: fanId, [SHOW_HEADER]: show.id },
  });
  const ws = res.webSocket;
  if (!ws) throw new Error(`expected a WebSocket, got ${res.status}`);
  const messages: { at: number; m: StateMessage }[] = [];
  ws.addEventListener("message", (e) => {
    if (typeof e.data === "string" && e.data !== "pong") messages.push({ at: Date.now(), m: JSON.parse(e.data) });
  });
  ws.accept();
  return { ws, messages, positions: () => messages.map((x) => x.m.position) };
}
