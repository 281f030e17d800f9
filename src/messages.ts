/**
 * The live-notification protocol of `GET /:showId/ingresso/ws`, shared by the show object and the
 * fans' page. The server speaks only `state` messages: the fan's full State (CONTRACT.md), so a
 * client never has to merge deltas and a reconnect is just another `state`.
 */
import type { FanState } from "./show/types";

export interface StateMessage extends FanState {
  type: "state";
  /** The server's clock when the message was sent, so a countdown can correct for a skewed clock. */
  serverTime: string;
}

export type ServerMessage = StateMessage;

/** Keep-alive: the client sends `ping`, the runtime answers `pong` without waking the object. */
export const PING = "ping";
export const PONG = "pong";

/** A client asks for its current state again by sending this text. */
export const STATE_REQUEST = "state";

/** Client messages are tiny; anything larger is a misbehaving client and closes the socket. */
export const MAX_CLIENT_MESSAGE_BYTES = 1024;

export const CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  POLICY: 1008,
  TOO_BIG: 1009,
  INTERNAL: 1011,
} as const;

/** Headers by which the Worker tells the show object who the (already authenticated) fan is. */
export const FAN_HEADER = "x-catraca-fan";
export const SHOW_HEADER = "x-catraca-show";

/** Waiting fans get at most one position update per this interval (state changes are immediate). */
export const POSITION_UPDATE_INTERVAL_MS = 1_000;

export function stateMessage(state: FanState, now: number): StateMessage {
  return { type: "state", ...state, serverTime: new Date(now).toISOString() };
}
