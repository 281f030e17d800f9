/** The console's live dashboard, refunds marked as paid back, and the attendees' CSV. */
import { describe, expect, it } from "vitest";
import { csv, csvField, sellOutSeconds } from "../../src/console/figures";
import { bookedTicket, checkin } from "./door-helpers";
import { call, createShow, requestTicket, signIn, signInMany } from "./helpers";
import { holdWithPayment } from "./payments";

const dashboard = async (showId: string) => {
  const res = await call("GET", `/api/console/shows/${showId}/dashboard`, { admin: true });
  expect(res.status).toBe(200);
  return res.json;
};

/** An approved payment whose hold was cancelled first: money owed back. */
async function refundDue(showId: string) {
  const fan = await signIn("Renata Reembolso");
  const held = await requestTicket(showId, fan);
  const ticketId = held.json.ticket.id;
  const pay = await call("POST", "/api/payments", { token: fan.token, body: { showId, ticketId } });
  await call("PATCH", `/${showId}/ingresso/cancel`, { token: fan.token });
  const approved = await call("POST", `/api/payments/${pay.json.payment.id}/sandbox/approve`, { token: fan.token });
  expect(approved.json.payment.status).toBe("REFUND_DUE");
  return pay.json.payment.id as string;
}

describe("the live dashboard", () => {
  it("counts each class's available, held, booked and waiting, the revenue and the pace", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 2, priceCents: 20000, meiaShare: 0 }] });
    await bookedTicket({}, { showId: show.id });
    const [holder, w1, w2] = await signInMany(3);
    expect((await requestTicket(show.id, holder!)).status).toBe(200);
    expect((await requestTicket(show.id, w1!)).status).toBe(202);
    expect((await requestTicket(show.id, w2!)).status).toBe(202);

    const d = await dashboard(show.id);
    expect(d.classes).toEqual([{ sector: "Pista", meia: false, available: 0, held: 1, booked: 1, waiting: 2 }]);
    expect(d.waiting).toBe(2);
    expect(d.booked).toBe(1);
    expect(d.revenueCents).toBe(20000);
    // One sold in the last ten minutes, one left (held): at that pace, ten minutes.
    expect(d.sellOutSeconds).toBe(600);
    expect(d.series.bookedPerMinute).toEqual([{ at: expect.any(String), booked: 1 }]);
    expect(d.series.queue.at(-1)).toMatchObject({ waiting: 2 });
    expect(d.show.id).toBe(show.id);
  });

  it("samples the queue at most every few seconds however often it is polled", async () => {
    const show = await createShow();
    await Promise.all([dashboard(show.id), dashboard(show.id), dashboard(show.id)]);
    expect((await dashboard(show.id)).series.queue).toHaveLength(1);
  });

  it("is the organizer's only, and 404 for an unknown show", async () => {
    const show = await createShow();
    const fan = await signIn();
    expect((await call("GET", `/api/console/shows/${show.id}/dashboard`)).status).toBe(401);
    expect((await call("GET", `/api/console/shows/${show.id}/dashboard`, { token: fan.token })).status).toBe(401);
    const none = await call("GET", "/api/console/shows/show_none/dashboard", { admin: true });
    expect(none.status).toBe(404);
    expect(none.json.error.code).toBe("SHOW_NOT_FOUND");
  });
});

describe("refunds owed", () => {
  it("are listed until the organizer marks them refunded, once", async () => {
    const show = await createShow();
    const paymentId = await refundDue(show.id);
    expect((await dashboard(show.id)).refunds.map((r: { id: string }) => r.id)).toEqual([paymentId]);

    const path = `/api/console/shows/${show.id}/refunds/${paymentId}/refunded`;
    const marked = await call("POST", path, { admin: true });
    expect(marked.status).toBe(200);
    expect(marked.json.payment).toMatchObject({ id: paymentId, status: "REFUNDED" });
    expect((await dashboard(show.id)).refunds).toEqual([]);
    expect((await call("POST", path, { admin: true })).status).toBe(200);
  });

  it("refuses to mark a payment that is not owed back, or not this show's", async () => {
    const show = await createShow();
    const fan = await signIn();
    const { pay } = await holdWithPayment(show.id, fan);
    const pending = await call("POST", `/api/console/shows/${show.id}/refunds/${pay.json.payment.id}/refunded`, {
      admin: true,
    });
    expect(pending.status).toBe(409);
    expect(pending.json.error.code).toBe("REFUND_NOT_DUE");
    const other = await createShow();
    const elsewhere = await call("POST", `/api/console/shows/${other.id}/refunds/${pay.json.payment.id}/refunded`, {
      admin: true,
    });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.json.error.code).toBe("PAYMENT_NOT_FOUND");
  });
});

describe("the attendees' CSV", () => {
  it("lists name, sector, meia and check-in time, in the console's language", async () => {
    const show = await createShow({ sectors: [{ name: "Pista", capacity: 4, priceCents: 10000, meiaShare: 0.5 }] });
    const ana = await bookedTicket({}, { showId: show.id, fan: await signIn("Ana, a Primeira") });
    await bookedTicket({}, { showId: show.id, fan: await signIn("=HYPERLINK(1)"), meia: true });
    const inside = await checkin({ code: ana.code, gate: "Portão 1" }, { admin: true });
    const res = await call("GET", `/api/console/shows/${show.id}/attendees.csv`, {
      admin: true,
      headers: { "accept-language": "pt-BR" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/attachment/);
    const lines = res.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("nome,setor,meia,entrada,portão,ingresso");
    expect(lines.filter((l) => l.startsWith("'=HYPERLINK(1),Pista,sim,,,"))).toHaveLength(1);
    expect(lines).toContain(`"Ana, a Primeira",Pista,não,${inside.json.checkedInAt},Portão 1,${ana.ticketId}`);
    const en = await call("GET", `/api/console/shows/${show.id}/attendees.csv`, {
      admin: true,
      headers: { "accept-language": "en" },
    });
    expect(en.text.split("\r\n")[0]).toBe("name,sector,half price,checked in,gate,ticket");
  });
});

describe("the dashboard's figures", () => {
  it("estimate the sell-out from the last ten minutes' pace", () => {
    expect(sellOutSeconds(0, 0)).toBe(0);
    expect(sellOutSeconds(100, 0)).toBeNull();
    expect(sellOutSeconds(100, 50)).toBe(1200);
  });

  it("quote CSV fields only when needed, and defuse spreadsheet formulas", () => {
    expect(csvField("Pista")).toBe("Pista");
    expect(csvField('Ana "Aninha", Souza')).toBe('"Ana ""Aninha"", Souza"');
    expect(csvField("+55 11")).toBe("'+55 11");
    expect(csvField("@cmd")).toBe("'@cmd");
    expect(
      csv([
        ["a", "b"],
        ["c", "d\ne"],
      ]),
    ).toBe('a,b\r\nc,"d\ne"\r\n');
  });
});
