/** The dashboard's time series as the charts take them (epoch seconds), from the API's points. */

export interface Series {
  /** Epoch seconds. */
  x: number[];
  y: number[];
}

/** Bookings per minute with the minutes that sold nothing as zeros, from the first sale to now. */
export function perMinute(points: { at: string; booked: number }[], nowMs: number): Series {
  if (points.length === 0) return { x: [], y: [] };
  const byMinute = new Map(points.map((p) => [Math.floor(Date.parse(p.at) / 60_000), p.booked]));
  const first = Math.min(...byMinute.keys());
  const last = Math.max(Math.floor(nowMs / 60_000), ...byMinute.keys());
  const x: number[] = [];
  const y: number[] = [];
  for (let m = first; m <= last; m++) {
    x.push(m * 60);
    y.push(byMinute.get(m) ?? 0);
  }
  return { x, y };
}

export function queueLength(points: { at: string; waiting: number }[]): Series {
  return { x: points.map((p) => Date.parse(p.at) / 1000), y: points.map((p) => p.waiting) };
}

/** The time axis spans at least this much, so a sale's first minute is a bar, not the whole chart. */
export const MIN_SPAN_S = 15 * 60;

/**
 * The time axis's range in epoch seconds, from the series' own first and last time rather than the
 * min and max uPlot hands its range function: for a single point uPlot widens them by
 * `86400 / ms`, which in seconds is 1000 days, and every tick then lands on a midnight (`21:00` at
 * the venue). Half a minute after the last point leaves room for its bar; with no data, up to now.
 */
export function timeRange(x: ArrayLike<number>, nowS: number): [number, number] {
  const end = x[x.length - 1] ?? nowS;
  const start = x[0] ?? end;
  return [Math.min(start, end - MIN_SPAN_S), end + 30];
}
