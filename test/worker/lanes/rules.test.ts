/**
 * A lane's rules (src/lanes/rules.ts) as plain functions: the coordinator's word about a fan, when
 * the coordinator must hear of a change at once, where a waiting fan stands.
 */
import { describe, expect, it } from "vitest";
import { arrivalKey } from "../../../src/lanes/key";
import type { LaneFan, ReportState } from "../../../src/lanes/lane-store";
import type { ClassView, LaneMail } from "../../../src/lanes/protocol";
import { joinUrgency, leaveUrgency, mailAction, needsRefill, positionOf } from "../../../src/lanes/rules";

const fan = (f: Partial<LaneFan>): LaneFan => ({
  fanId: "usr_a",
  status: "WAITING",
  sector: "Pista",
  meia: false,
  entry: 7,
  owner: "lane",
  version: 2,
  ticket: null,
  expiresAt: null,
  booked: [],
  shownPosition: null,
  shownAt: null,
  ...f,
});

const ticket = {
  id: "t1",
  showId: "show_x",
  sector: "Pista",
  meia: false,
  priceCents: 100,
  status: "IN_PROGRESS" as const,
};
const mail = (m: Partial<LaneMail> & { status?: LaneMail["state"]["status"] }): LaneMail => ({
  fanId: "usr_a",
  version: 3,
  entry: 7,
  state: { status: m.status ?? "IN_PROGRESS", sector: "Pista", meia: false, ticket, booked: [] },
  ...m,
});

describe("the coordinator's word about a fan", () => {
  it("admits a fan who waits on the very place it was admitted from", () => {
    expect(mailAction(fan({}), mail({}))).toBe("apply");
    // A hold adopted from D1 names no place: any place in that class will do.
    expect(mailAction(fan({}), mail({ entry: null }))).toBe("apply");
  });

  it("declines an admission from a place the fan has left (cancelled, or waiting again elsewhere in line)", () => {
    expect(mailAction(fan({ status: "CANCELLED" }), mail({}))).toBe("decline");
    expect(mailAction(fan({ entry: 8 }), mail({}))).toBe("decline");
  });

  it("takes what became of a hold from the coordinator, and of an older place only the booked tickets", () => {
    const holding = fan({ status: "IN_PROGRESS", owner: "coordinator" });
    expect(mailAction(holding, mail({ status: "EXPIRED" }))).toBe("apply");
    // The fan missed the admission and hears of the expiry: it leaves the line all the same.
    expect(mailAction(fan({}), mail({ status: "EXPIRED" }))).toBe("apply");
    expect(mailAction(fan({ entry: 9 }), mail({ status: "BOOKED" }))).toBe("booked");
  });

  it("ignores a mail it already has (a retried delivery)", () => {
    expect(mailAction(fan({ version: 3 }), mail({ version: 3 }))).toBe("stale");
  });
});

const reported = (r: Partial<ReportState>): ReportState => ({
  version: 1,
  tail: null,
  more: false,
  due: 0,
  sampledAt: 0,
  ...r,
});

describe("when the coordinator must hear of a change at once", () => {
  const tail = arrivalKey(2_000, "usr_m");
  it("a join the coordinator's picture of this lane does not allow for: nothing beyond what was reported, or before its last fan", () => {
    expect(joinUrgency(reported({}), arrivalKey(3_000, "usr_z"))).toBe(2);
    expect(joinUrgency(reported({ tail, more: false }), arrivalKey(3_000, "usr_z"))).toBe(2);
    expect(joinUrgency(reported({ tail, more: true }), arrivalKey(1_000, "usr_a"))).toBe(2);
    expect(joinUrgency(reported({ tail, more: true }), arrivalKey(3_000, "usr_z"))).toBe(1);
  });

  it("a reported fan leaving the line; and a buffer refill once fewer than 128 reported fans wait", () => {
    expect(leaveUrgency(reported({ tail, more: true }), arrivalKey(1_000, "usr_a"))).toBe(2);
    expect(leaveUrgency(reported({ tail, more: true }), arrivalKey(3_000, "usr_z"))).toBe(1);
    expect(needsRefill(reported({ tail, more: true }), 127, 1_000)).toBe(true);
    expect(needsRefill(reported({ tail, more: true }), 128, 1_000)).toBe(false);
    expect(needsRefill(reported({ tail, more: false }), 3, 3)).toBe(false);
  });
});

const view = (v: Partial<ClassView>): ClassView => ({
  sector: "Pista",
  meia: false,
  total: 10,
  available: 0,
  held: 10,
  booked: 0,
  soldOut: false,
  admitted: 0,
  head: [],
  sample: [],
  sampleAdmitted: 0,
  waiting: 0,
  laneWaiting: [0, 0],
  ...v,
});

describe("where a waiting fan stands", () => {
  const k = (ms: number, id: string) => arrivalKey(ms, id);
  it("counts exactly within the head every lane learns: its own lane's fans ahead and the others' in the head", () => {
    const head: [string, number][] = [
      [k(1, "a"), 1],
      [k(2, "b"), 0],
      [k(3, "c"), 1],
      [k(4, "d"), 0],
    ];
    expect(positionOf({ key: k(4, "d"), lane: 0, lanes: 2, ownAhead: 1, ownWaiting: 2, view: view({ head }) })).toBe(4);
  });

  it("further back reads the merged sample, less the admissions since it was merged", () => {
    const sample: [string, number][] = [
      [k(100, "x"), 500],
      [k(200, "y"), 900],
    ];
    const v = view({ head: [[k(1, "a"), 1]], sample, admitted: 30, sampleAdmitted: 10 });
    expect(positionOf({ key: k(200, "y"), lane: 0, lanes: 2, ownAhead: 400, ownWaiting: 450, view: v })).toBe(881);
  });

  it("puts a fan who joined after the view behind every fan it knows, and guesses the other lanes' joins since on the late side", () => {
    const v = view({ head: [[k(1, "a"), 1]], laneWaiting: [10, 30] });
    // 12 own fans now against 10 in the view: 2 joins here, so ~2 per other lane since, and 25% more.
    expect(positionOf({ key: k(9, "z"), lane: 0, lanes: 2, ownAhead: 11, ownWaiting: 12, view: v })).toBe(
      11 + 30 + 3 + 1,
    );
    expect(positionOf({ key: k(9, "z"), lane: 0, lanes: 2, ownAhead: 3, ownWaiting: 4, view: undefined })).toBe(4);
  });
});
