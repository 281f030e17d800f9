import type { TicketStatus } from "../db/schema";
import type { ErrorCode } from "../errors";

/** The outcome of a fan's latest request for one show (CONTRACT.md, "State"). */
export const FAN_STATUSES = [
  "NONE",
  "PRE_QUEUE",
  "WAITING",
  "IN_PROGRESS",
  "BOOKED",
  "CANCELLED",
  "EXPIRED",
  "SOLD_OUT",
] as const;
export type FanStatus = (typeof FAN_STATUSES)[number];

/** A ticket class: fans are admitted in arrival order within one class. */
export interface TicketClass {
  sector: string;
  meia: boolean;
}

export interface TicketView {
  id: string;
  showId: string;
  sector: string;
  meia: boolean;
  priceCents: number;
  status: TicketStatus;
}

export interface FanState {
  status: FanStatus;
  position?: number;
  sector?: string;
  meia?: boolean;
  ticket?: TicketView;
  expiresAt?: string;
  booked: TicketView[];
}

/** What every Durable Object call answers: a state with its HTTP status, or a contract error. */
export type Outcome =
  | { ok: true; httpStatus: 200 | 202; state: FanState }
  | { ok: false; code: ErrorCode; message: string };

/** For `POST /api/payments`: whether the fan holds the ticket now, held it once, or never did. */
export type HoldCheck =
  | { kind: "held"; ticket: TicketView; expiresAt: number }
  | { kind: "ended" }
  | { kind: "never" }
  /** No such show, or one not on sale yet: the contract's error to answer. */
  | { kind: "refused"; refusal: Extract<Outcome, { ok: false }> };

/** Why an object must not serve its show yet: the seats are still being written, or never all were. */
export type NotReady = { ok: false; code: "SALES_NOT_OPEN"; message: string };

/**
 * The show's rules as the object caches them, once every seat exists (immutable from then on but
 * for `status`: an archived show takes no new requests).
 */
export interface ShowConfig {
  id: string;
  status: "ready" | "archived";
  salesOpenAt: number;
  /** When the pre-queue opens (#14, src/show/draw.ts); null: the sale opens in arrival order. */
  prequeueOpensAt: number | null;
  holdSeconds: number;
  maxTicketsPerUser: number;
  /** Waiting-room lanes: 1, the object holds the queue itself; K > 1, K lane objects do (src/lanes/). */
  lanes: number;
  /** In the organizer's order, full before meia. */
  classes: ClassConfig[];
}

export interface ClassConfig extends TicketClass {
  priceCents: number;
  /** Tickets of this class in D1, whatever their status. */
  total: number;
}

/**
 * Free and held tickets of one class, as the show object counts them: the catalogue's and the show
 * page's live availability (`ShowQueue.availability`, the socket's `availability` message).
 */
export interface ClassAvailability extends TicketClass {
  /** Tickets nobody holds or has booked. */
  available: number;
  /** Tickets held by fans who are paying: free again if the hold ends. */
  inProgress: number;
}

/** Per-class occupancy, as the object counts it. */
export interface ClassCounts {
  total: number;
  held: number;
  booked: number;
  waiting: number;
}
