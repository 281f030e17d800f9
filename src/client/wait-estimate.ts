/**
 * The estimated wait, from the admission rate this fan actually observed: how fast its own position
 * fell (admissions and fans leaving ahead of it) over the last minutes. No server-side figure is
 * needed, and the estimate grows by itself while the queue stands still.
 */
export interface Sample {
  /** Local time of the observation, ms. */
  at: number;
  position: number;
}

/** Only the recent pace counts: a queue that sped up or slowed down is judged by now. */
export const WINDOW_MS = 10 * 60_000;
/** Below this much observation the pace is noise. */
const MIN_ELAPSED_MS = 3_000;

/** The samples after observing `position` at `at`: a position that grew means a new queue; start over. */
export function observe(samples: readonly Sample[], position: number, at: number): Sample[] {
  const last = samples.at(-1);
  if (last && position > last.position) return [{ at, position }];
  if (last?.position === position) return [...samples];
  // The pace is measured over the window: the last sample before it says where the fan stood
  // when the window opened; older ones go.
  const cutoff = at - WINDOW_MS;
  const start = samples.findLastIndex((s) => s.at <= cutoff);
  if (start === -1) return [...samples, { at, position }];
  const anchor = samples[start]!;
  return [{ at: cutoff, position: anchor.position }, ...samples.slice(start + 1), { at, position }];
}

/** Milliseconds until this fan is admitted at the observed pace, or `undefined` before any movement. */
export function estimateWaitMs(samples: readonly Sample[], now: number): number | undefined {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) return undefined;
  const moved = first.position - last.position;
  const elapsed = now - first.at;
  if (moved <= 0 || elapsed < MIN_ELAPSED_MS) return undefined;
  // Position p means p more departures ahead or frees before this fan's turn (position 1 = next).
  return (last.position * elapsed) / moved;
}

/** Whole minutes for display, rounded up so that "about 2 min" is never optimistic by a minute. */
export function waitMinutes(ms: number): number {
  return ms < 60_000 ? 0 : Math.ceil(ms / 60_000);
}
