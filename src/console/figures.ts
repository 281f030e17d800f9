/** The dashboard's derived figures and the attendees' CSV, as plain functions. */

/** Bookings counted over this window set the pace of the sale. */
export const PACE_WINDOW_MS = 10 * 60_000;

/**
 * Seconds until the show sells out at the pace of the last ten minutes: the tickets not yet booked
 * (free or held) over the bookings per second. `null` while nothing sold recently (no pace to go
 * by), `0` when nothing is left.
 */
export function sellOutSeconds(unbooked: number, bookedInWindow: number): number | null {
  if (unbooked <= 0) return 0;
  if (bookedInWindow <= 0) return null;
  return Math.round(unbooked / (bookedInWindow / (PACE_WINDOW_MS / 1000)));
}

/**
 * One CSV field. Quoted when it holds a separator, a quote or a line break; a leading `= + - @`
 * (a fan's name is typed by the fan) is defused so a spreadsheet never runs it as a formula.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n;]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csv(rows: string[][]): string {
  return `${rows.map((r) => r.map(csvField).join(",")).join("\r\n")}\r\n`;
}
