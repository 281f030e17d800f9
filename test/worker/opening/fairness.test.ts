/**
 * The draw is fair (#14): over many draws of 50 fans, each position's occupant is uniform among
 * the 50 (a chi-square test at the 0.001 level, for every position) and the order does not follow
 * the order of arrival. The seeds are fixed (each the SHA-256 of a label), so the test is the same
 * every run: what it checks is SHA-256 through `drawOrder`, not luck.
 */
import { describe, expect, it } from "vitest";
import { drawOrder } from "../../../src/show/draw";
import { sha256Hex } from "./support";

const FANS = 50;
const DRAWS = 1_000;
/** The 0.999 quantile of the chi-square distribution with 49 degrees of freedom. */
const CHI2_49_AT_0_001 = 85.35;

describe("the draw's fairness", () => {
  it(`puts each of ${FANS} fans at each position equally often over ${DRAWS} draws, whatever the arrival order`, async () => {
    const fans = Array.from({ length: FANS }, (_, i) => `usr_fair_${String(i).padStart(2, "0")}`);
    const counts = Array.from({ length: FANS }, () => new Array<number>(FANS).fill(0));
    let rhoSum = 0;
    for (let d = 0; d < DRAWS; d++) {
      const order = await drawOrder(await sha256Hex(`fairness draw ${d}`), fans);
      let squares = 0;
      for (const [position, { fanId }] of order.entries()) {
        const arrival = fans.indexOf(fanId);
        (counts[position] as number[])[arrival] = ((counts[position] as number[])[arrival] ?? 0) + 1;
        squares += (position - arrival) ** 2;
      }
      // Spearman's rank correlation between arrival and position.
      rhoSum += 1 - (6 * squares) / (FANS * (FANS * FANS - 1));
    }
    const expected = DRAWS / FANS;
    const chi2 = counts.map((row) => row.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0));
    for (const [position, value] of chi2.entries()) {
      expect(value, `position ${position + 1}: chi-square ${value.toFixed(1)}`).toBeLessThan(CHI2_49_AT_0_001);
    }
    // One draw's ρ has a standard deviation of 1/7 for 50 fans; their mean over 1,000 draws, 0.0045.
    expect(Math.abs(rhoSum / DRAWS)).toBeLessThan(0.03);
    // The first to arrive is first about once in 50 draws, like everybody else.
    expect(counts[0]?.[0]).toBeLessThan(expected * 2.5);
  });
});
