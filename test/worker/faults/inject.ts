/**
 * The show object's two seams, D1 and the clock (src/do/io.ts), set for one show. They hold across
 * restarts: a D1 fault injected before a restart is there when the object wakes up.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { objectIo, replaceIo } from "../../../src/do/io";
import { laneName } from "../../../src/lanes/key";
import { showStub } from "../helpers";
import { type D1Op, type FaultPlan, faultyD1 } from "./faulty-d1";

/** Give the show's object a D1 that follows `plan`, now and after any restart, until replaced. */
export function injectD1(showId: string, plan: FaultPlan): void {
  replaceIo(showId, { d1: faultyD1(env.DB, plan) });
}

/** Give the show's object the real D1 back. */
export function healD1(showId: string): void {
  replaceIo(showId, { d1: undefined });
}

/** Fix the object's clock at `t` (epoch ms), across restarts too. */
export function setClock(showId: string, t: number): void {
  replaceIo(showId, { now: () => t });
}

export function clockOf(showId: string): number {
  return objectIo(showId, env.DB).now();
}

/** Move the object's clock `ms` forward from where it is (the real time, unless set). */
export function advanceClock(showId: string, ms: number): void {
  setClock(showId, clockOf(showId) + ms);
}

/**
 * Restart the object: its memory is gone, its storage and D1 stay (a crash, then the next call).
 * A D1 fault dies with the instance it was injected into, unless `d1` says how D1 behaves for the
 * instance that starts now.
 */
export async function restart(showId: string, opts: { d1?: FaultPlan } = {}): Promise<void> {
  if (opts.d1) injectD1(showId, opts.d1);
  else healD1(showId);
  const stub = showStub(showId);
  // An object that is not running restarts anyway on its next call: make it run, to stop it.
  await runInDurableObject(stub, () => {});
  await evictDurableObject(stub);
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

/** Restart one of a show's lanes: its memory is gone, its storage and its sockets stay. */
export async function restartLane(showId: string, lane: number): Promise<void> {
  const stub = env.LANES.getByName(laneName(showId, lane));
  await runInDurableObject(stub, () => {});
  await evictDurableObject(stub);
}

/**
 * The named object's calls to other objects (a lane's to its coordinator, the coordinator's
 * deliveries to a lane) fail on the next `times` calls: `before` they are sent (nothing happened
 * there), or `after` the other object served them (the answer lost). With `overloaded`, the error
 * is the platform's for an overloaded object.
 */
export function failCalls(
  name: string,
  when: "before" | "after",
  opts: { times?: number; overloaded?: boolean } = {},
): { attempts: () => number; failures: () => number } {
  let attempts = 0;
  let failures = 0;
  const times = opts.times ?? Number.POSITIVE_INFINITY;
  const fail = () => {
    failures += 1;
    const err = new Error(
      `call failed ${when === "before" ? "before it was sent" : "after it was served, its answer lost"}`,
    );
    throw opts.overloaded ? Object.assign(err, { overloaded: true }) : err;
  };
  replaceIo(name, {
    calls: async (_to, send) => {
      attempts += 1;
      if (failures >= times) return send();
      if (when === "before") fail();
      await send();
      return fail();
    },
  });
  return { attempts: () => attempts, failures: () => failures };
}

/** The named object's calls reach the other object twice (a retried call), answering the second. */
export function repeatCalls(name: string): void {
  replaceIo(name, {
    calls: async (_to, send) => {
      await send();
      return send();
    },
  });
}

/** Give the named object its calls back as they are. */
export function healCalls(name: string): void {
  replaceIo(name, { calls: undefined });
}
