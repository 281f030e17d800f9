/**
 * What a show's lanes and its coordinating object (the show's own `ShowQueue`) say to each other
 * (#13), and the sizes that keep it cheap. Every message is idempotent: a report carries a
 * version per class and replaces the last one, a fan's mail carries the coordinator's version of
 * that fan and is applied once, a view replaces the last view. So any of them may be lost, repeated
 * or retried, and the next one puts things right.
 *
 * - **lane → coordinator** (`laneSync`): the lane's first waiting fans of each class in key order
 *   (its buffer), whether it has more, how many wait, a sample of its queue beyond the buffer (for
 *   the positions of fans far back), and what it owes the coordinator: mails it applied (acks),
 *   admissions it could not give (declines), holders' cancels, holders whose state it needs.
 * - **coordinator → lane** (the reply, and `deliver`): mails, one per fan whose state the
 *   coordinator changed (admitted, expired, cancelled, booked, extended), and the view: per class,
 *   the counts, whether it sold out, the first waiting fans across every lane (exact positions)
 *   and a merged sample (positions further back).
 */
import type { FanState, TicketClass } from "../show/types";
import type { OrderKey } from "./key";

/** A lane reports at most this many first waiting fans per class: the coordinator admits from them. */
export const BUFFER_SIZE = 256;
/** A lane refills its buffer at the coordinator once fewer of its reported fans than this still wait. */
export const LOW_WATER = 128;
/** The first waiting fans of a class, across lanes, that every lane learns exactly (positions 1..HEAD_SIZE). */
export const HEAD_SIZE = 128;

/** One waiting fan as its lane reports it. `seq` names this place (a fan who rejoins gets another). */
export interface LaneEntry {
  key: OrderKey;
  fanId: string;
  seq: number;
}

/** A point of a sampled queue: a waiting fan's key, and how many wait ahead of it (in the lane, or everywhere). */
export type SamplePoint = [key: OrderKey, ahead: number];

/** What a lane says about one class. */
export interface ClassReport extends TicketClass {
  /** The lane's count of its reports of this class: the coordinator keeps the newest. */
  version: number;
  /** The lane's first waiting fans of the class in key order, at most `BUFFER_SIZE`. */
  entries: LaneEntry[];
  /** Whether the lane has waiting fans of the class beyond `entries`. */
  more: boolean;
  /** All the lane's waiting fans of the class. */
  waiting: number;
  /**
   * The lane's queue beyond `entries`, sampled (src/lanes/sketch.ts), its last waiting fan included;
   * left out when the last one still stands (a lane samples every few seconds at most).
   */
  sample?: SamplePoint[];
}

/** An admission the lane could not give: the fan had left that place (cancelled, or rejoined). */
export interface Decline {
  fanId: string;
  ticketId: string;
}

export interface LaneReport {
  lane: number;
  /** Classes whose report changed since the last one the coordinator answered. */
  classes: ClassReport[];
  /** Mails applied since the last report: each fan's version. */
  acks: Acks;
  declines: Decline[];
  /** Holders who give their ticket back (`PATCH …/cancel` of a fan the lane knows as IN_PROGRESS). */
  cancels: string[];
  /** Fans whose state the lane wants from the coordinator now (holders asking for their state). */
  refresh: string[];
  /** The fair opening (#14): the lane made its draw (the coordinator admits once every lane has). */
  drawn?: boolean;
}

/**
 * The coordinator's word about one fan: its state as the coordinator's records have it, at the
 * coordinator's `version` of that fan. `entry` is the lane place (`LaneEntry.seq`) the coordinator
 * acted on (admitted, or refused), null when it does not know it (a hold adopted from D1).
 */
export interface LaneMail {
  fanId: string;
  version: number;
  entry: number | null;
  state: FanState;
}

/** The coordinator's picture of one class, as every lane gets it. */
export interface ClassView extends TicketClass {
  total: number;
  available: number;
  held: number;
  booked: number;
  soldOut: boolean;
  /** Admissions so far (a counter that only grows): how far the queue moved since `sampleAdmitted`. */
  admitted: number;
  /**
   * The first waiting fans of the class across lanes, in order, at most `HEAD_SIZE`: [key, lane].
   * Every fan waiting up to its last key is in it, so positions up to there are exact.
   */
  head: [key: OrderKey, lane: number][];
  /** Beyond the head: the merged sample of every lane's queue, [key, fans ahead everywhere]. */
  sample: SamplePoint[];
  /** `admitted` when `sample` was merged. */
  sampleAdmitted: number;
  /** Fans waiting in every lane, as last reported (less those admitted since). */
  waiting: number;
  /** The same, lane by lane. */
  laneWaiting: number[];
}

export interface LaneView {
  /** Grows with every view the coordinator makes (a lane keeps the newest it got). */
  version: number;
  /** The show's status (an archived show takes no new requests). */
  status: "ready" | "archived";
  classes: ClassView[];
  /** The fair opening's seed (#14), once the coordinator revealed it: the lane draws its pre-queue with it. */
  seed?: string;
  /**
   * Set from the reveal until every lane's draw is in: the lanes' fans see no position yet (the
   * line across the lanes is not known), only that the draw is being made.
   */
  drawing?: boolean;
}

/** The coordinator's answer to a lane: its mails, and the view when the lane's is older. */
export interface SyncReply {
  mails: LaneMail[];
  view: LaneView | undefined;
}

/** A lane's answer to a delivery: what it applied, and what it could not. */
export interface DeliveryReceipt {
  acks: Acks;
  declines: Decline[];
}

/** Mails applied: each fan's version (the coordinator forgets the mail unless the fan changed again). */
export type Acks = Record<string, number>;
