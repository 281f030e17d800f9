/**
 * Where a waiting fan stands, and which lane holds them (#13). Plain functions, shared by the
 * Worker, the lanes and the show's coordinating object.
 *
 * **The order key.** Within a class, fans are admitted by ascending key. A key is one string that
 * sorts as `(phase, primary, tiebreak)`:
 * - `phase` `1`: an arrival after the sale opened; `primary` is the arrival stamp the Worker took
 *   when the fan's request reached it (epoch ms, 15 digits), never a time the client sent;
 * - `phase` `0`: reserved for a draw (the fair opening, #14): `primary` is the 64 hex digits of
 *   `sha256(seedHex:fanId)`, and every such key sorts before every arrival;
 * - `tiebreak` is the fan's id, unique within a show: two fans stamped in the same millisecond are
 *   ordered the same way everywhere, and a key names one fan.
 * Within a phase the primary has one width, so plain string order (JavaScript's `<`, SQLite's
 * BINARY collation: the same for these ASCII strings) is the order of the triple.
 */

/** The most lanes a show may have (`POST /api/admin/shows` `"lanes"`). */
export const MAX_LANES = 256;

export type OrderKey = string;

const STAMP_DIGITS = 15;

/** The key of a fan who arrived at `stampMs` (the Worker's clock). */
export function arrivalKey(stampMs: number, fanId: string): OrderKey {
  return `1.${Math.max(0, Math.floor(stampMs)).toString().padStart(STAMP_DIGITS, "0")}.${fanId}`;
}

/** The key of a fan placed by a draw (#14): `hashHex` is the lowercase hex SHA-256 of `seedHex:fanId`. */
export function drawKey(hashHex: string, fanId: string): OrderKey {
  if (!/^[0-9a-f]{64}$/.test(hashHex)) throw new Error("drawKey: the draw's hash is 64 lowercase hex digits");
  return `0.${hashHex}.${fanId}`;
}

/** The arrival stamp in a key, or undefined for a drawn one. */
export function stampOf(key: OrderKey): number | undefined {
  if (!key.startsWith("1.")) return undefined;
  return Number(key.slice(2, 2 + STAMP_DIGITS));
}

/**
 * The lane of a fan on a show with `lanes` lanes: a stable hash of (show, fan), so every isolate
 * sends the fan's calls to the same lane, and fans spread evenly whatever their ids look like.
 */
export function laneOf(showId: string, fanId: string, lanes: number): number {
  if (lanes <= 1) return 0;
  return hash32(`${showId}\u0000${fanId}`) % lanes;
}

/** FNV-1a over the UTF-16 code units, then murmur3's finalizer (FNV alone clusters on similar ids). */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const LANE_NAME = /^(.+)\/lane\/(\d{1,3})$/;

/** The name of a show's lane object (`LANES.getByName`), and of its I/O seam in tests. */
export function laneName(showId: string, lane: number): string {
  return `${showId}/lane/${lane}`;
}

/** The show and lane a lane object's name stands for. */
export function parseLaneName(name: string): { showId: string; lane: number } | undefined {
  const m = LANE_NAME.exec(name);
  return m ? { showId: m[1] as string, lane: Number(m[2]) } : undefined;
}
