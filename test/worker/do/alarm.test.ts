/** The alarm scheduler (src/do/alarm.ts), alone, over a Durable Object's real storage. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AlarmScheduler } from "../../../src/do/alarm";

/** Some object's storage (an object of no show: its alarm, far in the future here, never fires). */
function withStorage<T>(fn: (storage: DurableObjectStorage) => Promise<T>): Promise<T> {
  return runInDurableObject(env.SHOWS.getByName(`alarm-test-${crypto.randomUUID()}`), (_o, ctx) => fn(ctx.storage));
}

/** The storage's alarm calls, counted. */
function counted(storage: DurableObjectStorage) {
  const writes: (number | null)[] = [];
  const alarmOnly = {
    getAlarm: () => storage.getAlarm(),
    setAlarm: (t: number) => {
      writes.push(t);
      return storage.setAlarm(t);
    },
    deleteAlarm: () => {
      writes.push(null);
      return storage.deleteAlarm();
    },
  };
  return { storage: alarmOnly as unknown as DurableObjectStorage, writes };
}

const DAY = 86_400_000;
const backoff = { firstMs: 2_000, maxMs: 60_000 };

describe("the alarm scheduler", () => {
  it("keeps one alarm at the earliest deadline, deletes it when there is none, and writes only when it moves", async () => {
    await withStorage(async (real) => {
      const { storage, writes } = counted(real);
      const t = Date.now() + DAY;
      const alarms = new AlarmScheduler(storage, Date.now, backoff);
      await alarms.keep(t + 5_000, undefined, t + 1_000);
      expect(await real.getAlarm()).toBe(t + 1_000);
      await alarms.keep(t + 1_000);
      await alarms.keep(undefined, t + 1_000);
      expect(writes).toEqual([t + 1_000]);
      await alarms.keep();
      expect(await real.getAlarm()).toBeNull();
      expect(writes).toEqual([t + 1_000, null]);
    });
  });

  it("re-arms a failing alarm itself, backing off up to the maximum for as long as it fails, and starts over after a success", async () => {
    await withStorage(async (storage) => {
      const now = Date.now() + DAY;
      const alarms = new AlarmScheduler(storage, () => now, backoff);
      const delays: number[] = [];
      for (let i = 0; i < 8; i++) {
        const failed = await alarms.fired(async () => {
          throw new Error("D1 is down");
        });
        expect(failed?.error).toBeInstanceOf(Error);
        expect(await storage.getAlarm()).toBe(now + failed!.retryInMs);
        delays.push(failed!.retryInMs);
      }
      expect(delays).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);

      expect(await alarms.fired(async () => alarms.keep(now + 500))).toBeUndefined();
      expect(await storage.getAlarm()).toBe(now + 500);
      const after = await alarms.fired(async () => {
        throw new Error("down again");
      });
      expect(after?.retryInMs).toBe(2_000);
    });
  });

  it("reads the alarm again once it fired, so the work's own deadline is set even if equal to the last one", async () => {
    await withStorage(async (storage) => {
      const t = Date.now() + DAY;
      const alarms = new AlarmScheduler(storage, Date.now, backoff);
      await alarms.keep(t);
      // The runtime deletes an alarm when it runs it.
      await storage.deleteAlarm();
      await alarms.fired(() => alarms.keep(t));
      expect(await storage.getAlarm()).toBe(t);
    });
  });
});
