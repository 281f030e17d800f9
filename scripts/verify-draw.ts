/**
 * `npm run verify-draw -- <baseUrl> <showId>`: check a show's opening draw (#14) from what
 * catraca publishes, with nothing of catraca's own code: the seed must hash to the commitment
 * published before the draw, and every class's order must be the entrants sorted by
 * sha256(`${seed}:${fanId}`). Prints each class's order, then OK or FAIL; exits 1 on any FAIL.
 */
import { createHash } from "node:crypto";

interface Draw {
  prequeueOpensAt: string;
  salesOpenAt: string;
  commitment: string;
  seed: string | null;
  drawnAt: string | null;
  entrants: { sector: string; meia: boolean; fanIds: string[] }[] | null;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

async function main(): Promise<number> {
  const [baseUrl, showId] = process.argv.slice(2);
  if (!baseUrl || !showId) {
    console.error("usage: npm run verify-draw -- <baseUrl> <showId>");
    return 2;
  }
  const url = new URL(`/api/shows/${encodeURIComponent(showId)}/draw`, baseUrl);
  const res = await fetch(url);
  if (!res.ok) {
    console.error(`FAIL: ${url} answered ${res.status}: ${await res.text()}`);
    return 1;
  }
  const draw = (await res.json()) as Draw;
  console.log(`show ${showId}: pre-queue from ${draw.prequeueOpensAt}, draw at ${draw.salesOpenAt}`);
  console.log(`commitment ${draw.commitment}`);
  if (draw.seed === null || draw.entrants === null) {
    console.log("the draw has not happened yet: nothing to check but the commitment, which the seed must match");
    return 1;
  }
  let ok = true;
  const seedOk = /^[0-9a-f]{64}$/.test(draw.seed) && sha256(Buffer.from(draw.seed, "hex")) === draw.commitment;
  console.log(`seed       ${draw.seed} (revealed ${draw.drawnAt})`);
  console.log(`${seedOk ? "OK  " : "FAIL"} sha256(seed) is the commitment`);
  ok &&= seedOk;
  for (const c of draw.entrants) {
    const keyed = c.fanIds.map((fanId) => ({ fanId, key: sha256(`${draw.seed}:${fanId}`) }));
    const expected = [...keyed].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.fanId < b.fanId ? -1 : 1));
    const same = expected.every((e, i) => e.fanId === c.fanIds[i]);
    console.log(`\n${c.sector}${c.meia ? " (meia)" : ""}: ${c.fanIds.length} entrants`);
    for (const [i, e] of expected.entries()) console.log(`${String(i + 1).padStart(6)}  ${e.fanId}  ${e.key}`);
    console.log(`${same ? "OK  " : "FAIL"} the published order is the order of the keys`);
    ok &&= same;
  }
  console.log(ok ? "\nOK: the draw is what its seed says" : "\nFAIL: the draw does not match its seed");
  return ok ? 0 : 1;
}

process.exitCode = await main();
