/**
 * The sale (src/show/sale.ts) without its object's shell: steps over a store (a spare object's real
 * storage) and a ledger (the real D1, or a failing one), each answering what it changed.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db/database";
import { RecordUnavailable } from "../../src/errors";
import { ShowLedger } from "../../src/show/ledger";
import { AT_START, RETRY_AFTER_MS, Sale } from "../../src/show/sale";
import { ShowStore } from "../../src/show/store";
import type { ShowConfig } from "../../src/show/types";
import { LocalLine } from "../../src/show/waiting-line";
import { faultyD1 } from "./faults/faulty-d1";
import { failD1 } from "./faults/inject";
import { createShow, signInMany } from "./helpers";

const NOW = Date.now() + 60_000;
const PISTA = { sector: "Pista", meia: false };

interface OnSale {
  sale: Sale;
  config: ShowConfig;
  /** From now on, D1 fails under the ledger. */
  breakD1(): void;
}

/** A one-seat show on sale over a spare object's storage, at a fixed clock. */
async function onSale<T>(run: (s: OnSale) => Promise<T>): Promise<T> {
  const show = await createShow({ sectors: [{ name: "Pista", capacity: 1, priceCents: 5000, meiaShare: 0 }] });
  return runInDurableObject(env.SHOWS.getByName(`sale-test-${crypto.randomUUID()}`), async (_o, ctx) => {
    let d1 = env.DB;
    const ledger = new ShowLedger(() => database(d1), show.id);
    const store = new ShowStore(ctx.storage);
    const config = await ledger.config();
    if (!config || !("classes" in config)) throw new Error(`the show is not on sale: ${JSON.stringify(config)}`);
    store.saveConfig(config);
    const line = new LocalLine(store);
    const sale = new Sale({ storage: ctx.storage, store, ledger, line: () => line, now: () => NOW });
    return run({
      sale,
      config,
      breakD1: () => {
        d1 = faultyD1(env.DB, failD1("any", "before", Number.POSITIVE_INFINITY));
      },
    });
  });
}

describe("a step of the sale", () => {
  it("answers each call, the fans whose state changed with the state they were answered, and when to wake", async () => {
    const [ana, bia] = await signInMany(2);
    await onSale(async ({ sale, config }) => {
      const step = await sale.step(config, AT_START, (s) =>
        s.request([
          { fanId: ana!.id, wanted: PISTA },
          { fanId: bia!.id, wanted: PISTA },
        ]),
      );
      if (!step.ok) throw step.error;
      expect(step.value.map((o) => (o.ok ? [o.httpStatus, o.state.status] : o.code))).toEqual([
        [200, "IN_PROGRESS"],
        [202, "WAITING"],
      ]);
      expect([...step.changed].map(([fanId, state]) => [fanId, state?.status])).toEqual([
        [ana!.id, "IN_PROGRESS"],
        [bia!.id, "WAITING"],
      ]);
      // The start's reconcile is done and nothing else is owed; the hold's expiry is the next wake.
      expect(step.pending).toEqual({ reconcile: false, retryAt: undefined });
      expect(step.wakeAt).toBe(NOW + config.holdSeconds * 1000);
    });
  });

  it("fails without throwing when D1 fails under it, owing a reconcile and asking to wake soon", async () => {
    const [ana] = await signInMany(1);
    await onSale(async ({ sale, config, breakD1 }) => {
      const held = await sale.step(config, AT_START, (s) => s.request([{ fanId: ana!.id, wanted: PISTA }]));
      expect(held.ok).toBe(true);
      breakD1();
      const cancel = await sale.step(config, held.pending, (s) => s.cancel([ana!.id]));
      expect(cancel.ok).toBe(false);
      if (cancel.ok) return;
      expect(cancel.error).toBeInstanceOf(RecordUnavailable);
      expect(cancel.pending.reconcile).toBe(true);
      expect(cancel.wakeAt).toBe(NOW + RETRY_AFTER_MS);
      expect(cancel.changed.size).toBe(0);
      // The next step owes the reconcile: while D1 is down, it fails before the call's own work.
      const next = await sale.step(config, cancel.pending, (s) => s.answer(ana!.id));
      expect(next.ok).toBe(false);
      expect(next.pending.reconcile).toBe(true);
    });
  });
});
