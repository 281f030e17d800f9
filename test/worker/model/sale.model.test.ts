import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { approvePayment } from "../../../src/db/queries";
import { database } from "../../../src/show/ledger";
import type { ShowQueue } from "../../../src/show/show-queue";
import type { FanState } from "../../../src/show/types";
import { createShow, signInMany, type TestFan } from "../helpers";
import { type ModelClass, SaleModel } from "./model";

/** Sequences per CI run; `npm run test:soak` runs many more. */
const RUNS = Number(env.MODEL_RUNS ?? 100);
const MAX_COMMANDS = 30;
const HOLD_SECONDS = 60;
const FANS = 5;
const MAX_PER_FAN = 2;

const SECTORS = [
  { name: "Pista", capacity: 3, priceCents: 10000, meiaShare: 1 / 3 }, // 2 full + 1 meia
  { name: "Camarote", capacity: 1, priceCents: 40000, meiaShare: 0 }, // 1 full, no meia
];
const CLASSES: ModelClass[] = [
  { key: "Pista/inteira", sector: "Pista", meia: false, total: 2 },
  { key: "Pista/meia", sector: "Pista", meia: true, total: 1 },
  { key: "Camarote/inteira", sector: "Camarote", meia: false, total: 1 },
  { key: "Camarote/meia", sector: "Camarote", meia: true, total: 0 },
];

interface Real {
  showId: string;
  stub: DurableObjectStub<ShowQueue>;
  fans: TestFan[];
  clock: number;
  /** The last ticket each fan was seen holding (to try booking it after the hold ended). */
  lastHeld: Map<string, { ticketId: string; priceCents: number }>;
}

const classKeyOf = (s: { sector?: string; meia?: boolean }) =>
  s.sector === undefined ? undefined : `${s.sector}/${s.meia ? "meia" : "inteira"}`;

async function setClock(r: Real) {
  const t = r.clock;
  await runInDurableObject(r.stub, (o: ShowQueue) => {
    o.now = () => t;
  });
}

/** Compare every fan's state and D1's record with the model; check the invariants. */
async function verify(m: SaleModel, r: Real) {
  m.settle();
  for (const fan of r.fans) {
    const out = await r.stub.state(r.showId, fan.id);
    if (!out.ok) throw new Error(`state failed: ${out.code}`);
    const s: FanState = out.state;
    const mf = m.fan(fan.id);
    expect({ fan: fan.name, status: s.status, position: s.position }).toEqual({
      fan: fan.name,
      status: mf.status,
      position: m.position(fan.id),
    });
    if (mf.status !== "NONE") expect(classKeyOf(s)).toBe(mf.cls);
    expect(s.booked.map((t) => classKeyOf(t)).sort()).toEqual([...mf.booked].sort());
    if (s.status === "IN_PROGRESS" && s.ticket) {
      r.lastHeld.set(fan.id, { ticketId: s.ticket.id, priceCents: s.ticket.priceCents });
      expect(Date.parse(s.expiresAt ?? "")).toBe(mf.holdExpiresAt);
    }
  }

  const { results: tickets } = await env.DB.prepare(
    "SELECT id, sector, meia, status, user_id AS userId, payment_id AS paymentId FROM tickets WHERE show_id = ?",
  )
    .bind(r.showId)
    .all<{
      id: string;
      sector: string;
      meia: number;
      status: string;
      userId: string | null;
      paymentId: string | null;
    }>();
  for (const c of CLASSES) {
    const rows = tickets.filter((t) => t.sector === c.sector && Boolean(t.meia) === c.meia);
    const held = rows.filter((t) => t.status === "IN_PROGRESS");
    const booked = rows.filter((t) => t.status === "BOOKED");
    // Booked plus held never exceeds the seats, and D1 agrees with the model on both.
    expect(held.length + booked.length).toBeLessThanOrEqual(c.total);
    expect({ cls: c.key, held: held.length, booked: booked.length }).toEqual({
      cls: c.key,
      held: m.held(c.key),
      booked: m.booked(c.key),
    });
    for (const t of rows) {
      if (t.status === "AVAILABLE") expect(t.userId).toBeNull();
      else expect(t.userId).not.toBeNull();
    }
  }
  // One hold per fan; every booking is the fan's in D1.
  for (const fan of r.fans) {
    const mf = m.fan(fan.id);
    const mine = tickets.filter((t) => t.userId === fan.id);
    expect(mine.filter((t) => t.status === "IN_PROGRESS").length).toBe(mf.status === "IN_PROGRESS" ? 1 : 0);
    expect(mine.filter((t) => t.status === "BOOKED").length).toBe(mf.booked.length);
  }
  // Nothing a fan paid for is lost: approved money either booked a ticket, backs the current hold,
  // or is listed as owed back.
  const { results: payments } = await env.DB.prepare(
    "SELECT p.id, p.user_id AS userId, p.status, t.id AS bookedTicket FROM payments p LEFT JOIN tickets t ON t.payment_id = p.id WHERE p.show_id = ?",
  )
    .bind(r.showId)
    .all<{ id: string; userId: string; status: string; bookedTicket: string | null }>();
  for (const fan of r.fans) {
    const mf = m.fan(fan.id);
    const mine = payments.filter((p) => p.userId === fan.id);
    expect({
      fan: fan.name,
      refundsDue: mine.filter((p) => p.status === "REFUND_DUE").length,
      unusedApproved: mine.filter((p) => p.status === "APPROVED" && !p.bookedTicket).length,
      usedApproved: mine.filter((p) => p.status === "APPROVED" && p.bookedTicket).length,
    }).toEqual({ fan: fan.name, refundsDue: mf.refundsDue, unusedApproved: mf.paid, usedApproved: mf.booked.length });
  }
  // The object's kept class counts equal its own rows.
  await runInDurableObject(r.stub, (_o, ctx) => {
    const rows = (q: string) =>
      ctx.storage.sql
        .exec(q)
        .toArray()
        .map((x) => JSON.stringify(x));
    expect(
      rows(
        "SELECT sector, meia, held, booked, waiting FROM class_counts WHERE held + booked + waiting > 0 ORDER BY 1, 2",
      ),
    ).toEqual(
      rows(`SELECT sector, meia, SUM(t = 'h') AS held, SUM(t = 'b') AS booked, SUM(t = 'w') AS waiting FROM (
              SELECT sector, meia, 'h' AS t FROM holds UNION ALL SELECT sector, meia, 'b' FROM booked
              UNION ALL SELECT sector, meia, 'w' FROM queue) GROUP BY 1, 2 ORDER BY 1, 2`),
    );
  });
}

type Cmd = fc.AsyncCommand<SaleModel, Real>;

class Request implements Cmd {
  constructor(
    readonly fan: number,
    readonly cls: number,
  ) {}
  check = () => true;
  async run(m: SaleModel, r: Real) {
    const fan = r.fans[this.fan]!;
    const c = CLASSES[this.cls]!;
    const expected = m.request(fan.id, c.key);
    const out = await r.stub.request(r.showId, fan.id, { sector: c.sector, meia: c.meia });
    expect(out.ok ? undefined : out.code).toBe(expected);
    await verify(m, r);
  }
  toString = () => `request(fan${this.fan}, ${CLASSES[this.cls]!.key})`;
}

class Cancel implements Cmd {
  constructor(readonly fan: number) {}
  check = () => true;
  async run(m: SaleModel, r: Real) {
    const fan = r.fans[this.fan]!;
    m.cancel(fan.id);
    const out = await r.stub.cancel(r.showId, fan.id);
    expect(out.ok).toBe(true);
    await verify(m, r);
  }
  toString = () => `cancel(fan${this.fan})`;
}

class Pay implements Cmd {
  constructor(readonly fan: number) {}
  check = () => true;
  async run(m: SaleModel, r: Real) {
    const fan = r.fans[this.fan]!;
    m.pay(fan.id);
    const out = await r.stub.state(r.showId, fan.id);
    if (out.ok && out.state.status === "IN_PROGRESS" && out.state.ticket) {
      const id = `pay_${crypto.randomUUID()}`;
      await env.DB.prepare(
        "INSERT INTO payments (id, show_id, ticket_id, user_id, amount_cents, status, provider, created_at) VALUES (?, ?, ?, ?, ?, 'PENDING', 'sandbox', ?)",
      )
        .bind(id, r.showId, out.state.ticket.id, fan.id, out.state.ticket.priceCents, r.clock)
        .run();
      // The real approval path, on the object's clock.
      await approvePayment(database(env.DB), id, fan.id, r.clock);
    }
    await verify(m, r);
  }
  toString = () => `pay(fan${this.fan})`;
}

class Book implements Cmd {
  constructor(readonly fan: number) {}
  check = () => true;
  async run(m: SaleModel, r: Real) {
    const fan = r.fans[this.fan]!;
    const now = await r.stub.state(r.showId, fan.id);
    const current = now.ok && now.state.status === "IN_PROGRESS" ? now.state.ticket : undefined;
    const target = current ? { ticketId: current.id } : r.lastHeld.get(fan.id);
    const ticketId = target?.ticketId ?? `${r.showId}-never-held`;
    const { results } = await env.DB.prepare(
      "SELECT id FROM payments WHERE user_id = ? AND ticket_id = ? AND status = 'APPROVED' ORDER BY created_at DESC LIMIT 1",
    )
      .bind(fan.id, ticketId)
      .all<{ id: string }>();
    const expected = m.book(fan.id, target !== undefined);
    const out = await r.stub.book(r.showId, fan.id, ticketId, results[0]?.id ?? "pay_none");
    expect(out.ok ? undefined : out.code).toBe(expected);
    await verify(m, r);
  }
  toString = () => `book(fan${this.fan})`;
}

class Advance implements Cmd {
  constructor(readonly seconds: number) {}
  check = () => true;
  async run(m: SaleModel, r: Real) {
    m.now += this.seconds * 1000;
    r.clock += this.seconds * 1000;
    await setClock(r);
  }
  toString = () => `advance(${this.seconds}s)`;
}

class Alarm implements Cmd {
  check = () => true;
  async run(m: SaleModel, r: Real) {
    await runDurableObjectAlarm(r.stub);
    await verify(m, r);
  }
  toString = () => "alarm()";
}

class Restart implements Cmd {
  check = () => true;
  async run(m: SaleModel, r: Real) {
    r.stub.ping();
    await evictDurableObject(r.stub);
    await setClock(r);
    await verify(m, r);
  }
  toString = () => "restart()";
}

class Poke implements Cmd {
  check = () => true;
  async run(m: SaleModel, r: Real) {
    await r.stub.poke(r.showId);
    await verify(m, r);
  }
  toString = () => "cronPoke()";
}

const fanIdx = fc.integer({ min: 0, max: FANS - 1 });
const commands = fc.commands(
  [
    fc.tuple(fanIdx, fc.integer({ min: 0, max: CLASSES.length - 1 })).map(([f, c]) => new Request(f, c)),
    fc.tuple(fanIdx, fc.constant(0)).map(([f]) => new Request(f, 0)),
    fanIdx.map((f) => new Cancel(f)),
    fanIdx.map((f) => new Pay(f)),
    fanIdx.map((f) => new Book(f)),
    fc.constantFrom(1, HOLD_SECONDS / 2, HOLD_SECONDS + 1).map((s) => new Advance(s)),
    fc.constant(new Alarm()),
    fc.constant(new Restart()),
    fc.constant(new Poke()),
  ],
  { maxCommands: MAX_COMMANDS },
);

describe("the show object against a reference model", () => {
  it(`agrees with the model and keeps every invariant over ${RUNS} random sequences`, async () => {
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const show = await createShow({ sectors: SECTORS, holdSeconds: HOLD_SECONDS, maxTicketsPerUser: MAX_PER_FAN });
        const fans = await signInMany(FANS);
        const stub = env.SHOWS.getByName(show.id);
        const start = Date.now();
        const real: Real = { showId: show.id, stub, fans, clock: start, lastHeld: new Map() };
        await setClock(real);
        const model = new SaleModel(
          CLASSES,
          fans.map((f) => f.id),
          HOLD_SECONDS * 1000,
          MAX_PER_FAN,
          start,
        );
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        steps += [...cmds].length;
      }),
      { numRuns: RUNS, verbose: 1 },
    );
    console.log(`model-based test: ${RUNS} sequences, ${steps} steps`);
  }, 600_000);
});
