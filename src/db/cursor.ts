/**
 * The catalogue's paging cursor: where the last page ended, opaque to clients. Upcoming shows come
 * first (soonest first), then, when asked for, past shows (most recent first); a cursor says which
 * of the two runs it is in, the (startsAt, id) of the last show it gave, and whether past shows were
 * asked for (so the next pages go on into them without being asked again).
 */
import { z } from "zod";

export const CATALOGUE_PAGE_SIZE = 24;

export type Segment = "upcoming" | "past";

export interface Cursor {
  segment: Segment;
  past?: boolean;
  /** The last show given; absent at the start of the segment. */
  after?: { startsAt: number; id: string };
}

const cursorShape = z.object({
  s: z.enum(["upcoming", "past"]),
  t: z.int().optional(),
  i: z.string().min(1).max(100).optional(),
  p: z.literal(1).optional(),
});

const toBase64Url = (s: string) => btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

export function encodeCursor(c: Cursor): string {
  return toBase64Url(JSON.stringify({ s: c.segment, t: c.after?.startsAt, i: c.after?.id, p: c.past ? 1 : undefined }));
}

/** The cursor, or undefined for anything this API did not hand out. */
export function decodeCursor(text: string): Cursor | undefined {
  let json: unknown;
  try {
    json = JSON.parse(atob(text.replaceAll("-", "+").replaceAll("_", "/")));
  } catch {
    return undefined;
  }
  const parsed = cursorShape.safeParse(json);
  if (!parsed.success) return undefined;
  const { s, t, i, p } = parsed.data;
  if ((t === undefined) !== (i === undefined)) return undefined;
  const past = p === 1 ? { past: true } : {};
  return t === undefined || i === undefined
    ? { segment: s, ...past }
    : { segment: s, after: { startsAt: t, id: i }, ...past };
}
