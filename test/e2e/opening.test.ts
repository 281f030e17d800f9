/**
 * The fair opening over real HTTP and WebSockets against wrangler dev (#14), with one lane and
 * with eight: 50 fans join the pre-queue, the draw happens at the opening with no client calling,
 * every fan is told within 2 s, the fans admitted are exactly the first by key, and
 * `npm run verify-draw` agrees.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { devServerSuite } from "./server.ts";

const suite = devServerSuite({ vars: { RATE_LIMIT: "off" } });

const FANS = 50;
const TICKETS = 5;
const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

describe.each([1, 8])("the fair opening against wrangler dev (%i lanes)", (lanes) => {
  it(`draws ${FANS} pre-queued fans at the opening, tells them all within 2 s, and admits the first ${TICKETS} by key`, async () => {
    const fans = await Promise.all(Array.from({ length: FANS }, (_, i) => suite.api.signIn(`Fã ${i}`)));
    // Time to join and connect before the opening, on a loaded machine too.
    const salesOpenAt = Date.now() + 10_000;
    const show = await suite.api.createShow({
      sectors: [{ name: "Pista", capacity: TICKETS, priceCents: 20000, meiaShare: 0 }],
      lanes,
      salesOpenAt: new Date(salesOpenAt).toISOString(),
      prequeueOpensAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const joined = await Promise.all(
      fans.map((f) =>
        suite.api.call("PATCH", `/${show.id}/ingresso/request`, { token: f.token, body: { sector: "Pista" } }),
      ),
    );
    for (const j of joined) expect(j.json).toMatchObject({ status: "PRE_QUEUE", sector: "Pista" });
    expect(joined.every((j) => j.status === 202)).toBe(true);
    const socks = await Promise.all(fans.map((f) => suite.live(show.id, f.token)));
    expect(Date.now()).toBeLessThan(salesOpenAt);

    // Nobody calls: the alarm draws, and the sockets hear it.
    const told = await Promise.all(
      socks.map(async (s) => {
        const m = await s.next((x) => x.status === "IN_PROGRESS" || x.status === "WAITING", 20_000);
        return { m, at: Date.now() };
      }),
    );
    expect(Math.max(...told.map((t) => t.at)) - salesOpenAt).toBeLessThan(2_000);

    const draw = (await suite.api.call("GET", `/api/shows/${show.id}/draw`)).json;
    expect(sha256(Buffer.from(draw.seed, "hex"))).toBe(show.drawCommitment);
    const byKey = fans
      .map((f, i) => ({ i, key: sha256(`${draw.seed}:${f.id}`) }))
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map((k) => k.i);
    expect(draw.entrants).toEqual([{ sector: "Pista", meia: false, fanIds: byKey.map((i) => fans[i]?.id) }]);
    const outcome = byKey.map((i) => {
      const m = told[i]?.m;
      return m?.status === "WAITING" ? `WAITING ${m.position}` : m?.status;
    });
    expect(outcome).toEqual([
      ...Array.from({ length: TICKETS }, () => "IN_PROGRESS"),
      ...Array.from({ length: FANS - TICKETS }, (_, p) => `WAITING ${p + 1}`),
    ]);

    const verify = await promisify(execFile)(
      process.execPath,
      [path.join(import.meta.dirname, "../../scripts/verify-draw.ts"), suite.server.url, show.id],
      { encoding: "utf8" },
    );
    expect(verify.stdout).toContain("OK: the draw is what its seed says");
    expect(verify.stdout).not.toContain("FAIL");
  }, 120_000);
});
