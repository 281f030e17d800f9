/**
 * The catalogue's JSON shapes (CONTRACT.md `Show`), derived from the drizzle rows. Kept apart from
 * `queries.ts` so that the fans' page can use them without the Workers runtime's types.
 */
import type { BandRow, SectorRow, ShowRow } from "./schema";

export type BandView = Pick<BandRow, "id" | "name" | "genre" | "description">;

export interface SectorView extends Pick<SectorRow, "name" | "priceCents" | "meiaPriceCents" | "capacity"> {
  /** AVAILABLE tickets only. */
  available: { full: number; meia: number };
}

export interface ShowView extends Pick<ShowRow, "id" | "festival" | "address" | "holdSeconds" | "maxTicketsPerUser"> {
  band: BandView;
  /** ISO times. */
  startsAt: string;
  salesOpenAt: string;
  sectors: SectorView[];
}
