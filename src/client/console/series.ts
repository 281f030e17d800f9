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
