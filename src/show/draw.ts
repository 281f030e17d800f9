/**
 * The fair opening (#14) as plain functions: a show's pre-queue is put in a random order at
 * `salesOpenAt` that anyone can check afterwards. At creation a secret seed of 32 random bytes is
 * drawn and its commitment published (the lowercase hex SHA-256 of the 32 bytes); at the draw the
 * seed is revealed (lowercase hex), and each entrant's key is the lowercase hex SHA-256 of the UTF-8
 * string `${seedHex}:${fanId}`: a class's pre-queue is admitted by ascending key. Nobody, not even
 * catraca, can choose the order once the commitment is out: the seed is fixed, and the keys follow.
 *
 * Shared by the show's object, its lanes, the Worker's draw endpoint and `npm run verify-draw`
 * (Web Crypto only, so the same code runs in workerd and in Node).
 */
import { drawKey, type OrderKey } from "../lanes/key";

const HEX64 = /^[0-9a-f]{64}$/;

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function bytesOf(seedHex: string): Uint8Array<ArrayBuffer> {
  if (!HEX64.test(seedHex)) throw new Error("a draw's seed is 64 lowercase hex digits (32 bytes)");
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(seedHex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A new secret seed: 32 random bytes, as lowercase hex. */
export function newSeed(): string {
  return hex(crypto.getRandomValues(new Uint8Array(32)));
}

/** What is published before the draw: the lowercase hex SHA-256 of the seed's 32 bytes. */
export async function commitmentOf(seedHex: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", bytesOf(seedHex)));
}

/** An entrant's key: the lowercase hex SHA-256 of the UTF-8 string `${seedHex}:${fanId}`. */
export async function entrantKey(seedHex: string, fanId: string): Promise<string> {
  bytesOf(seedHex);
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${seedHex}:${fanId}`)));
}

/** A class's entrants in the order they are admitted: by ascending key (then id, should two keys ever be equal). */
export async function drawOrder(seedHex: string, fanIds: string[]): Promise<{ fanId: string; key: string }[]> {
  const keyed = await Promise.all(fanIds.map(async (fanId) => ({ fanId, key: await entrantKey(seedHex, fanId) })));
  return keyed.sort(byKey);
}

/** The order key (src/lanes/key.ts) of an entrant: it sorts before every arrival after the opening. */
export async function drawnOrderKey(seedHex: string, fanId: string): Promise<OrderKey> {
  return drawKey(await entrantKey(seedHex, fanId), fanId);
}

/** Where a show's sale stands at `now`: before its pre-queue, in it, or open (the draw is due or done). */
export type Opening = "closed" | "prequeue" | "open";

export function openingAt(show: { prequeueOpensAt: number | null; salesOpenAt: number }, now: number): Opening {
  if (now >= show.salesOpenAt) return "open";
  return show.prequeueOpensAt !== null && now >= show.prequeueOpensAt ? "prequeue" : "closed";
}

/** The draw as `GET /api/shows/:showId/draw` answers it (the seed and entrants null until it happened). */
export interface DrawView {
  prequeueOpensAt: string;
  salesOpenAt: string;
  commitment: string;
  seed: string | null;
  drawnAt: string | null;
  entrants: DrawEntrants[] | null;
}

/** Every fan in one class's pre-queue at the draw, in the order drawn (which anyone can recompute). */
export interface DrawEntrants {
  sector: string;
  meia: boolean;
  fanIds: string[];
}

/** One class's entrants as an object (the show's, or a lane) recorded them at its draw: with their keys, in key order. */
export interface DrawnClass {
  sector: string;
  meia: boolean;
  drawn: { fanId: string; key: string }[];
}

/** The entrants of every lane (or the one object) as one list per class, in the show's class order, by recorded key. */
export function mergeEntrants(classes: { sector: string; meia: boolean }[], parts: DrawnClass[][]): DrawEntrants[] {
  return classes.flatMap((c) => {
    const drawn = parts
      .flat()
      .filter((e) => e.sector === c.sector && e.meia === c.meia)
      .flatMap((e) => e.drawn)
      .sort(byKey);
    return drawn.length > 0 ? [{ sector: c.sector, meia: c.meia, fanIds: drawn.map((d) => d.fanId) }] : [];
  });
}

function byKey(a: { fanId: string; key: string }, b: { fanId: string; key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.fanId < b.fanId ? -1 : 1;
}

export type Check = { ok: true } | { ok: false; why: string };

/** What `npm run verify-draw` checks: the seed matches the commitment. */
export async function checkCommitment(view: Pick<DrawView, "commitment" | "seed">): Promise<Check> {
  if (view.seed === null) return { ok: false, why: "the seed is not revealed yet: the draw has not happened" };
  if (!HEX64.test(view.seed)) return { ok: false, why: "the seed is not 64 lowercase hex digits" };
  const actual = await commitmentOf(view.seed);
  return actual === view.commitment
    ? { ok: true }
    : { ok: false, why: `sha256(seed) is ${actual}, the commitment was ${view.commitment}` };
}
