/**
 * A lane's rules as plain functions over plain data (#13): what to do with the coordinator's word
 * about a fan, when the coordinator must hear about a change at once, and where a waiting fan
 * stands. The lane gathers the facts and carries the answers out (src/lanes/lane.ts).
 */

import type { ClassAvailability } from "../show/types";
import type { OrderKey } from "./key";
import type { LaneFan, ReportState } from "./lane-store";
import { type ClassView, type LaneMail, type LaneView, LOW_WATER } from "./protocol";
import { estimateAhead } from "./sketch";

/**
 * What a mail about a fan does here:
 * - `apply`: the mail is about the fan's current place (the fan waits on it, or holds from it):
 *   the coordinator's state becomes the fan's, and a waiting fan leaves the line;
 * - `decline`: it admits the fan from a place the fan has left (a cancel, or a rejoin, got here
 *   first): the coordinator must give the ticket back;
 * - `booked`: it is about an older place: only the fan's booked tickets are taken from it;
 * - `stale`: this lane already has that version or a newer one.
 */
export type MailAction = "apply" | "decline" | "booked" | "stale";

export function mailAction(fan: LaneFan | undefined, mail: LaneMail): MailAction {
  if (fan && mail.version <= fan.version) return "stale";
  const sameClass = fan?.sector === (mail.state.sector ?? null) && fan?.meia === (mail.state.meia ?? null);
  const onIt = mail.entry === null ? sameClass : fan?.entry === mail.entry;
  if (fan?.status === "WAITING" && onIt) return "apply";
  if (fan?.owner === "coordinator" && (mail.entry === null || fan.entry === mail.entry)) return "apply";
  return mail.state.status === "IN_PROGRESS" ? "decline" : "booked";
}

/**
 * How soon the coordinator must hear of a fan joining at `key`: now (2) when it could change whom
 * the coordinator admits next (it believes this lane has nobody beyond what it reported, or the
 * key falls before the last fan reported), else soon (1: the counts and samples).
 */
export function joinUrgency(report: ReportState, key: OrderKey): 1 | 2 {
  return !report.more || report.tail === null || key < report.tail ? 2 : 1;
}

/** A waiting fan left the line (cancelled, sold out): now when the coordinator has that fan in its buffer. */
export function leaveUrgency(report: ReportState, key: OrderKey): 1 | 2 {
  return report.tail !== null && key <= report.tail ? 2 : 1;
}

/** The coordinator admitted from this lane's buffer: refill it now once fewer than LOW_WATER of its reported fans still wait. */
export function needsRefill(report: ReportState, reportedStillWaiting: number, waiting: number): boolean {
  return report.more && reportedStillWaiting < LOW_WATER && waiting > reportedStillWaiting;
}

/** Other lanes' joins since the view, guessed from this lane's own (fans spread evenly): this much more, to err late. */
export const GROWTH_MARGIN = 1.25;

export interface PositionFacts {
  key: OrderKey;
  /** This lane's number, of `lanes`. */
  lane: number;
  lanes: number;
  /** This lane's own fans ahead (exact). */
  ownAhead: number;
  /** This lane's waiting fans of the class now. */
  ownWaiting: number;
  view: ClassView | undefined;
}

/**
 * A waiting fan's position: 1 + the fans ahead in its class, everywhere. `ownAhead` is exact (this
 * lane's own line). Up to the last fan of the view's head every fan waiting anywhere is known, so
 * the position there is exact. Further back, up to the last fan the merged sample knows, the other
 * lanes' fans come from the sample, less the admissions since it was merged. Beyond (a fan who
 * joined after the view was made), every fan the view knows is ahead, and so are the other lanes'
 * joins since: guessed from this lane's own, on the late side, so that the positions a fan sees
 * afterwards are lower, not higher. With no view yet, only this lane's own fans count.
 */
export function positionOf(f: PositionFacts): number {
  const v = f.view;
  if (!v) return f.ownAhead + 1;
  const last = v.head.at(-1);
  let othersInHead = 0;
  for (const [key, lane] of v.head) if (lane !== f.lane && key < f.key) othersInHead += 1;
  if (last && f.key <= last[0]) return f.ownAhead + othersInHead + 1;
  const known = v.sample.at(-1)?.[0] ?? last?.[0];
  const admittedSince = v.admitted - v.sampleAdmitted;
  if (known !== undefined && f.key <= known) {
    const sampled = (estimateAhead(v.sample, f.key) ?? 0) - admittedSince;
    return Math.max(f.ownAhead + othersInHead, sampled) + 1;
  }
  const mine = v.laneWaiting[f.lane] ?? 0;
  const others = Math.max(othersInHead, v.laneWaiting.reduce((n, w) => n + w, 0) - mine);
  const growth = Math.ceil(Math.max(0, f.ownWaiting - mine) * (f.lanes - 1) * GROWTH_MARGIN);
  return f.ownAhead + others + growth + 1;
}

/**
 * The show's availability (#12's `availability` message) as a lane tells its sockets: each class's
 * free and held tickets from the coordinator's last view; undefined before the lane has one.
 */
export function viewAvailability(view: LaneView | undefined): ClassAvailability[] | undefined {
  return view?.classes.map((c) => ({ sector: c.sector, meia: c.meia, available: c.available, inProgress: c.held }));
}
