/**
 * The live-notification protocol of `GET /:showId/ingresso/ws`, shared by the show object and the
 * fans' page. The server speaks two messages, each whole, so a client never merges deltas and a
 * reconnect is just another greeting: `state`, the fan's full State (CONTRACT.md), and
 * `availability`, the same for every socket of the show: each class's free and held tickets.
 */
import type { ClassAvailability, FanState } from "./show/types";

export interface StateMessage extends FanState {
  type: "state";
  /** The server's clock when the message was sent, so a countdown can correct for a skewed clock. */
  serverTime: string;
}

/**
 * Every socket of the show: each class's free and held tickets, in the show's order. Sent on
 * connect, then when the counts changed, at most once per `AVAILABILITY_INTERVAL_MS` for the whole
 * show however many changes the interval saw.
 */
export interface AvailabilityMessage {
  type: "availability";
  classes: ClassAvailability[];
  serverTime: string;
}

export type ServerMessage = StateMessage | AvailabilityMessage;

/** Keep-alive: the client sends `ping`, the runtime answers `pong` without waking the object. */
export const PING = "ping";
export const PONG = "pong";

/** A client asks for its current state again by sending this text. */
export const STATE_REQUEST = "state";

/** Client messages are tiny; anything larger is a misbehaving client and closes the socket. */
export const MAX_CLIENT_MESSAGE_BYTES = 1024;

/**
 * Messages a socket may send per window (pings, answered by the runtime, do not count): the page
 * sends a `state` now and then (a tab coming back, a countdown reaching zero); more than this is a
 * script, and closes the socket with `CLOSE.POLICY`.
 */
export const CLIENT_MESSAGE_LIMIT = { count: 10, windowMs: 10_000 } as const;

/** Sockets one fan may hold on one show (tabs, devices); one more closes the oldest with `CLOSE.REPLACED`. */
export const MAX_SOCKETS_PER_FAN = 5;

export const CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  /** The socket sent more messages than `CLIENT_MESSAGE_LIMIT` allows. */
  POLICY: 1008,
  TOO_BIG: 1009,
  INTERNAL: 1011,
  /**
   * The fan opened more than `MAX_SOCKETS_PER_FAN` sockets on this show and this was the oldest. The
   * page does not reconnect on its own (it would close another of the fan's tabs): it polls, and
   * takes the live connection back when the fan returns to the tab.
   */
  REPLACED: 4001,
} as const;

/** Headers by which the Worker tells the show object who the (already authenticated) fan is. */
export const FAN_HEADER = "x-catraca-fan";
export const SHOW_HEADER = "x-catraca-show";

/** Waiting fans get at most one position update per this interval (state changes are immediate). */
export const POSITION_UPDATE_INTERVAL_MS = 1_000;

/** The show's availability is sent to its sockets at most once per this interval. */
export const AVAILABILITY_INTERVAL_MS = 1_000;

export function availabilityMessage(classes: ClassAvailability[], now: number): AvailabilityMessage {
  return { type: "availability", classes, serverTime: new Date(now).toISOString() };
}

export function stateMessage(state: FanState, now: number): StateMessage {
  return { type: "state", ...state, serverTime: new Date(now).toISOString() };
}
