/**
 * What a Durable Object takes from outside its own storage: D1, the time, its pauses, and its calls
 * to other objects (a show's lanes and its coordinating object call each other, src/lanes/). The
 * object asks for them by its own name at every use, so that a test can replace them for one object
 * (`replaceIo`) and the replacement holds across the object's restarts: D1 failing while the object
 * wakes up, as in a real outage, a clock that stays where the test put it, or a call to another
 * object that fails before it is sent or after it was served (its answer lost). Nothing else in the
 * object is reachable from a test, and nothing here is replaced outside tests but for the
 * benchmark's D1 meter (src/routes/bench.ts, only under BENCH_ROUTES).
 */
import { type Db, database } from "../db/database";

export interface ObjectIo {
  db(): Db;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** A call to another object, named `to`: `send` makes it. */
  call<T>(to: string, send: () => Promise<T>): Promise<T>;
}

/** Stands in for the calls an object makes to another: it may fail, delay, or make the call (`send`). */
export type CallFilter = (to: string, send: () => Promise<unknown>) => Promise<unknown>;

export interface IoReplacement {
  d1?: D1Database;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  calls?: CallFilter;
}

const replaced = new Map<
  string,
  { db?: Db; now?: () => number; sleep?: (ms: number) => Promise<void>; calls?: CallFilter }
>();

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function objectIo(name: string, d1: D1Database): ObjectIo {
  const real = database(d1);
  return {
    db: () => replaced.get(name)?.db ?? real,
    now: () => (replaced.get(name)?.now ?? Date.now)(),
    sleep: (ms) => (replaced.get(name)?.sleep ?? realSleep)(ms),
    call: <T>(to: string, send: () => Promise<T>) => {
      const filter = replaced.get(name)?.calls;
      return filter ? (filter(to, send) as Promise<T>) : send();
    },
  };
}

/**
 * For tests: replace part of the named object's I/O, for its live instance and every later one.
 * A field given as `undefined` gives that part back to the real one.
 */
export function replaceIo(name: string, r: IoReplacement): void {
  const current = { ...replaced.get(name) };
  if ("d1" in r) current.db = r.d1 === undefined ? undefined : database(r.d1);
  if ("now" in r) current.now = r.now;
  if ("sleep" in r) current.sleep = r.sleep;
  if ("calls" in r) current.calls = r.calls;
  replaced.set(name, current);
}
