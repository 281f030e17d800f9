/** The show's page explains the draw (#14): in plain words, with the commitment and how to check it, in both languages. */
import { describe, expect, it } from "vitest";
import { formatDrawCountdown } from "../../../src/page/format";
import { call, createShow } from "../helpers";

const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

describe("the show's page with a pre-queue", () => {
  it("explains the draw, shows the commitment and how to check it, in pt-BR and English", async () => {
    const show = await createShow({ prequeueOpensAt: iso(-60_000), salesOpenAt: iso(3_600_000) });
    const pt = await call("GET", `/shows/${show.id}`, { headers: { "accept-language": "pt-BR" } });
    expect(pt.text).toContain("Um sorteio que qualquer um pode conferir");
    expect(pt.text).toContain("Pré-fila aberta");
    expect(pt.text).toContain(show.drawCommitment);
    expect(pt.text).toContain(`href="/api/shows/${show.id}/draw"`);
    expect(pt.text).toContain(`npm run verify-draw -- &lt;endereço do site&gt; ${show.id}`);
    const en = await call("GET", `/shows/${show.id}`, { headers: { "accept-language": "en" } });
    expect(en.text).toContain("A draw anyone can check");
    expect(en.text).toContain("Pre-queue open");
    expect(en.text).toContain(show.drawCommitment);
  });

  it("says nothing of a draw on a show without a pre-queue", async () => {
    const show = await createShow({});
    expect((await call("GET", `/shows/${show.id}`, { headers: { "accept-language": "en" } })).text).not.toContain(
      "A draw anyone can check",
    );
  });

  it("counts down to the draw in seconds, hours and days", () => {
    expect(formatDrawCountdown(65_000)).toBe("01:05");
    expect(formatDrawCountdown(3_725_000)).toBe("01:02:05");
    expect(formatDrawCountdown(90_061_000)).toBe("1 d 01:01:01");
    expect(formatDrawCountdown(-5)).toBe("00:00");
  });
});
