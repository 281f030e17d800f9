/** The serial executor (src/do/serial.ts), alone: one call at a time, in order; consecutive calls of one kind as one task. */
import { describe, expect, it } from "vitest";
import { SerialExecutor } from "../../../src/do/serial";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("the serial executor", () => {
  it("runs calls one at a time, in arrival order, across awaits", async () => {
    const serial = new SerialExecutor();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} starts`);
      await tick();
      log.push(`${name} ends`);
      return name;
    };
    expect(await Promise.all([serial.run(task("a")), serial.run(task("b")), serial.run(task("c"))])).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(log).toEqual(["a starts", "a ends", "b starts", "b ends", "c starts", "c ends"]);
  });

  it("goes on after a call that failed, which fails alone", async () => {
    const serial = new SerialExecutor();
    const failed = serial.run(async () => {
      throw new Error("D1 is down");
    });
    const next = serial.run(async () => "next");
    await expect(failed).rejects.toThrow("D1 is down");
    expect(await next).toBe("next");
  });

  it("runs consecutive calls of one kind as one task, answering each its own result", async () => {
    const serial = new SerialExecutor();
    const runs: number[][] = [];
    const double = serial.batch(async (items: number[]) => {
      runs.push([...items]);
      await tick();
      return items.map((n) => n * 2);
    });
    const first = [double(1), double(2)];
    // Once a batch has started, the calls arriving form the next one.
    while (runs.length === 0) await Promise.resolve();
    const second = [double(3), double(4)];
    expect(await Promise.all([...first, ...second])).toEqual([2, 4, 6, 8]);
    expect(runs).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("keeps the order of calls: another call in between starts a new batch", async () => {
    const serial = new SerialExecutor();
    const log: string[] = [];
    const join = serial.batch(async (items: string[]) => {
      log.push(`join ${items.join("+")}`);
      return items;
    });
    const blocker = serial.run(async () => {
      await tick();
      log.push("first");
    });
    const calls = [join("a"), join("b"), serial.run(async () => log.push("other")), join("c"), join("d")];
    await Promise.all([blocker, ...calls]);
    expect(log).toEqual(["first", "join a+b", "other", "join c+d"]);
  });

  it("fails every call of a batch whose task failed", async () => {
    const serial = new SerialExecutor();
    const blocker = serial.run(tick);
    const fail = serial.batch(async (_items: number[]): Promise<number[]> => {
      throw new Error("the step failed");
    });
    const results = await Promise.allSettled([fail(1), fail(2)]);
    await blocker;
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });

  it("refuses a batch that does not answer every item", async () => {
    const serial = new SerialExecutor();
    const short = serial.batch(async (items: number[]) => items.slice(1));
    const blocker = serial.run(tick);
    const [first, second] = await Promise.allSettled([short(1), short(2)]);
    await blocker;
    expect(first).toMatchObject({ status: "fulfilled", value: 2 });
    expect(second).toMatchObject({ status: "rejected" });
  });
});
