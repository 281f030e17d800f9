/** The contract's State of one fan, built from the show object's records (src/show/store.ts). */
import type { ShowStore } from "./store";
import type { FanState, ShowConfig, TicketClass, TicketView } from "./types";

export function ticketView(
  config: ShowConfig,
  t: { ticketId: string; sector: string; meia: boolean; priceCents: number },
  status: TicketView["status"],
): TicketView {
  return { id: t.ticketId, showId: config.id, sector: t.sector, meia: t.meia, priceCents: t.priceCents, status };
}

/** The class of a fan's latest request, if any. */
export function classOf(fan: { sector: string | null; meia: boolean | null }): TicketClass | null {
  return fan.sector === null ? null : { sector: fan.sector, meia: fan.meia ?? false };
}

/** The fan's State: the outcome of its latest request, its place or hold, and every ticket it booked. */
export function fanState(store: ShowStore, config: ShowConfig, fanId: string): FanState {
  const booked = store.bookedBy(fanId).map((b) => ticketView(config, b, "BOOKED"));
  const fan = store.fanWithPosition(fanId);
  if (!fan) return { status: "NONE", booked };
  const state: FanState = { status: fan.status, booked };
  if (fan.sector !== null) {
    state.sector = fan.sector;
    state.meia = fan.meia ?? false;
  }
  if (fan.status === "WAITING") {
    if (fan.position !== null) state.position = fan.position;
  } else if (fan.status === "IN_PROGRESS") {
    const hold = store.holdOf(fanId);
    if (hold) {
      state.ticket = ticketView(config, hold, "IN_PROGRESS");
      state.expiresAt = new Date(hold.expiresAt).toISOString();
    }
  } else if (fan.status === "BOOKED") {
    state.ticket = booked.find((t) => t.id === fan.ticketId);
  }
  return state;
}
