/**
 * Positions far back in a queue spread over lanes, from samples (#13). Plain functions.
 *
 * Each lane samples its own queue of a class: the key of the fan at every local rank `r` (fans of
 * the lane ahead) on a grid whose step grows with the rank, `max(1, floor(r·ε))`, plus its last
 * fan. The coordinator merges the lanes' samples into one: at each sampled key, an estimate of the
 * fans ahead everywhere, each other lane counted at the middle of the interval its own sample
 * leaves open there, so a lane's error at rank `r` is at most half its step there, `ε·r/2`. Summed
 * over the lanes, the error at a fan with `n` fans ahead is at most `ε·n/2`; the merged sample is
 * thinned on the same grid over the global count, and reading between two of its points costs at
 * most another `ε·n/2`. With ε = 1/128 a position read from the merged sample is within 0.8% of
 * the true number ahead, as of the samples (a lane re-samples every few seconds; admissions since
 * the merge are counted exactly, `ClassView.admitted`). The first ranks are sampled one by one, so
 * near the head the samples are exact.
 */
import type { OrderKey } from "./key";
import type { SamplePoint } from "./protocol";

export const SAMPLE_EPSILON = 1 / 128;

const step = (rank: number) => Math.max(1, Math.floor(rank * SAMPLE_EPSILON));

/** The local ranks a lane samples from rank `from` on, in a queue of `count`: the grid, and the last. */
export function sampleRanks(from: number, count: number): number[] {
  const ranks: number[] = [];
  for (let r = Math.max(0, from); r < count; r += step(r)) ranks.push(r);
  if (count > from && ranks.at(-1) !== count - 1) ranks.push(count - 1);
  return ranks;
}

/** One lane's queue of a class as the coordinator knows it now. */
export interface LaneQueue {
  /** The lane's reported fans not admitted yet, in order: local ranks 0, 1, … exactly. */
  head: OrderKey[];
  /** The lane's sample beyond them, [key, lane fans ahead], less those admitted since it was taken. */
  sample: SamplePoint[];
  /** The lane's waiting fans of the class. */
  waiting: number;
}

interface Point {
  key: OrderKey;
  lane: number;
  ahead: number;
}

/**
 * The lanes' queues merged: at sampled keys after `after` (every key when undefined), the fans
 * ahead across every lane, thinned so that consecutive points differ by at most `max(1, ε·n)`.
 */
export function mergeSamples(lanes: LaneQueue[], after?: OrderKey): SamplePoint[] {
  const perLane: Point[][] = lanes.map((q, lane) => {
    const points = q.head.map((key, ahead) => ({ key, lane, ahead }));
    // A sample taken before cancels in the middle may lag its lane: keep it in order, behind the head.
    for (const [key, ahead] of q.sample) {
      const prev = points.at(-1);
      if (prev && key <= prev.key) continue;
      points.push({ key, lane, ahead: Math.max(ahead, prev ? prev.ahead + 1 : 0) });
    }
    return points;
  });
  const totals = lanes.map((q, i) => Math.max(q.waiting, (perLane[i]?.at(-1)?.ahead ?? -1) + 1));
  const all = perLane.flat().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // Each lane's estimated fans ahead of the current key: the middle of the interval its sample leaves open.
  const next = lanes.map(() => 0);
  const middle = (lane: number) => {
    const pts = perLane[lane] as Point[];
    const i = next[lane] as number;
    const lo = i === 0 ? 0 : (pts[i - 1] as Point).ahead + 1;
    const hi = i < pts.length ? (pts[i] as Point).ahead : (totals[lane] as number);
    return (lo + hi) / 2;
  };
  const contribution = lanes.map((_, lane) => middle(lane));
  let sum = contribution.reduce((a, b) => a + b, 0);
  const out: SamplePoint[] = [];
  let last = Number.NEGATIVE_INFINITY;
  let end: SamplePoint | undefined;
  for (const p of all) {
    const ahead = Math.round(sum - (contribution[p.lane] as number) + p.ahead);
    next[p.lane] = (next[p.lane] as number) + 1;
    const now = middle(p.lane);
    sum += now - (contribution[p.lane] as number);
    contribution[p.lane] = now;
    if (after !== undefined && p.key <= after) continue;
    end = [p.key, ahead];
    if (out.length === 0 || ahead - last >= step(ahead)) {
      out.push(end);
      last = ahead;
    }
  }
  // The last waiting fan anywhere closes the sample, so that reading past it counts everybody.
  if (end && out.at(-1) !== end) out.push(end);
  return out;
}

/**
 * The fans ahead of `key` read from a merged sample: exact at a sampled key, the middle of the
 * interval between two points otherwise. Undefined when the sample says nothing (it is empty).
 */
export function estimateAhead(sample: SamplePoint[], key: OrderKey): number | undefined {
  if (sample.length === 0) return undefined;
  let lo = 0;
  let hi = sample.length - 1;
  // The last point whose key is <= key.
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((sample[mid] as SamplePoint)[0] <= key) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (at >= 0 && (sample[at] as SamplePoint)[0] === key) return (sample[at] as SamplePoint)[1];
  const below = at >= 0 ? (sample[at] as SamplePoint)[1] + 1 : 0;
  const above = at + 1 < sample.length ? (sample[at + 1] as SamplePoint)[1] : below;
  return Math.floor((below + Math.max(below, above)) / 2);
}
