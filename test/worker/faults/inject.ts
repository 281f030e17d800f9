import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { database } from "../../../src/show/ledger";
import type { ShowQueue } from "../../../src/show/show-queue";
import { showStub } from "../helpers";
import { type D1Op, type FaultPlan, faultyD1 } from "./faulty-d1";

/** Give the show's live object a D1 that follows `plan` (a restart gives it the real one back). */
export async function injectD1(showId: string, plan: FaultPlan): Promise<void> {
  await runInDurableObject(showStub(showId), (o: ShowQueue) => {
    o.db = database(faultyD1(env.DB, plan));
  });
}

/** Fix the object's clock at `t` (epoch ms). A restart gives it the real clock back. */
export async function setClock(showId: string, t: number): Promise<void> {
  await runInDurableObject(showStub(showId), (o: ShowQueue) => {
    o.now = () => t;
  });
}

export async function clockOf(showId: string): Promise<number> {
  return runInDurableObject(showStub(showId), (o: ShowQueue) => o.now());
}

/** Restart the object: its memory is gone, its storage and D1 stay (a crash, then the next call). */
export async function restart(showId: string): Promise<void> {
  await evictDurableObject(showStub(showId));
}

export class SimulatedCrash extends Error {
  constructor(op: D1Op, when: "before" | "after") {
    super(`simulated crash ${when} D1 ${op}`);
    this.name = "SimulatedCrash";
  }
}

/**
 * The object dies at one D1 call: `after` it committed (D1 has the write, the object's own storage
 * never gets it) or `before` it was sent. From then on the dead instance reaches D1 no more; the
 * test restarts the object, as the runtime would.
 */
export function crashAt(op: D1Op, when: "before" | "after"): FaultPlan & { crashed: () => boolean } {
  let dead = false;
  const check = (at: "before" | "after") => (o: D1Op) => {
    if (dead) throw new Error("this object instance has crashed");
    if (o === op && at === when) {
      dead = true;
      throw new SimulatedCrash(op, when);
    }
  };
  return { before: check("before"), after: check("after"), crashed: () => dead };
}

/** D1 fails (`before`: untouched; `after`: committed, answer lost) on the next `times` calls of `op`. */
export function failD1(op: D1Op | "any", when: "before" | "after", times = 1): FaultPlan & { failures: () => number } {
  let failures = 0;
  const check = (at: "before" | "after") => (o: D1Op) => {
    if ((op === "any" || o === op) && at === when && failures < times) {
      failures += 1;
      throw new Error(`D1 ${op} failed (${when === "after" ? "committed, answer lost" : "not sent"})`);
    }
  };
  return { before: check("before"), after: check("after"), failures: () => failures };
}
