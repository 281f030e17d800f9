/**
 * A show object that cannot take more calls (the platform's `overloaded`, or another retryable
 * Durable Object error) is answered `503 UNAVAILABLE` with `Retry-After`, in the contract's shape,
 * and the Worker never calls it again for the same request. The objects are stand-ins here: a
 * namespace whose stubs throw the platform's error, passed to the app as its SHOWS binding.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/index";
import { createShow, signIn } from "./helpers";

/** The error the runtime throws at the caller of an overloaded (or otherwise failing) object. */
function platformError(kind: "overloaded" | "retryable" | "bug"): Error {
  const err = new Error(
    kind === "bug" ? "TypeError: x is undefined" : "Durable Object is overloaded. Requests queued for too long.",
  );
  if (kind === "overloaded") Object.assign(err, { overloaded: true, retryable: false });
  if (kind === "retryable") Object.assign(err, { retryable: true });
  return Object.assign(err, { remote: kind === "bug" });
}

/** A SHOWS binding whose every call throws `kind`, counting the calls. */
function failingShows(kind: "overloaded" | "retryable" | "bug") {
  let calls = 0;
  const stub = new Proxy(
    {},
    {
      get: () => async () => {
        calls += 1;
        throw platformError(kind);
      },
    },
  );
  const shows = { getByName: () => stub, idFromName: env.SHOWS.idFromName.bind(env.SHOWS) };
  return { shows, calls: () => calls };
}

describe("an overloaded show object", () => {
  it("answers every fan call 503 UNAVAILABLE with Retry-After, calling the object once", async () => {
    const show = await createShow();
    const fan = await signIn();
    const json = { authorization: `Bearer ${fan.token}`, "content-type": "application/json" };
    const requests: [string, RequestInit][] = [
      [`/${show.id}/ingresso`, { headers: json }],
      [`/${show.id}/ingresso/request`, { method: "PATCH", headers: json, body: JSON.stringify({ sector: "Pista" }) }],
      [`/${show.id}/ingresso/cancel`, { method: "PATCH", headers: json }],
      [
        `/${show.id}/ingresso/book`,
        { method: "PATCH", headers: json, body: JSON.stringify({ ticketId: "t", paymentId: "p" }) },
      ],
      [`/${show.id}/ingresso/ws`, { headers: { ...json, upgrade: "websocket" } }],
      ["/api/payments", { method: "POST", headers: json, body: JSON.stringify({ showId: show.id, ticketId: "t" }) }],
    ];
    for (const kind of ["overloaded", "retryable"] as const) {
      for (const [path, init] of requests) {
        const failing = failingShows(kind);
        const res = await app.request(path, init, { ...env, SHOWS: failing.shows } as unknown as Env);
        const label = `${kind} ${init.method ?? "GET"} ${path}`;
        expect(res.status, label).toBe(503);
        expect(await res.json(), label).toEqual({ error: { code: "UNAVAILABLE", message: expect.any(String) } });
        expect(Number(res.headers.get("retry-after")), label).toBeGreaterThan(0);
        expect(failing.calls(), label).toBe(1);
      }
    }
  });

  it("asks a fan to wait longer for an overloaded object than for one that was merely moving", async () => {
    const show = await createShow();
    const fan = await signIn();
    const wait = async (kind: "overloaded" | "retryable") => {
      const res = await app.request(`/${show.id}/ingresso`, { headers: { authorization: `Bearer ${fan.token}` } }, {
        ...env,
        SHOWS: failingShows(kind).shows,
      } as unknown as Env);
      return Number(res.headers.get("retry-after"));
    };
    expect(await wait("overloaded")).toBeGreaterThan(await wait("retryable"));
  });

  it("still answers a bug in the object 500 INTERNAL, not 503", async () => {
    const show = await createShow();
    const fan = await signIn();
    const res = await app.request(`/${show.id}/ingresso`, { headers: { authorization: `Bearer ${fan.token}` } }, {
      ...env,
      SHOWS: failingShows("bug").shows,
    } as unknown as Env);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INTERNAL");
  });
});
