/**
 * The catalogue's JSON shapes (CONTRACT.md `Show`), derived from the drizzle rows. Kept apart from
 * `queries.ts` so that the fans' page can use them without the Workers runtime's types.
 */
import type { ClassAvailability } from "../show/types";
import type { BandRow, SectorRow, ShowRow } from "./schema";

export type BandView = Pick<BandRow, "id" | "name" | "genre" | "description">;

export interface SectorView extends Pick<SectorRow, "name" | "priceCents" | "meiaPriceCents" | "capacity"> {
  /** AVAILABLE tickets only. */
  available: { full: number; meia: number };
  /** Tickets held by fans who are paying: not free now, but they come back if the hold ends. */
  inProgress: { full: number; meia: number };
}

export type AvailabilityKind = "full" | "meia" | "all";

/**
 * Free and held tickets of one class (or of the whole sector). A class with none free but some held
 * is not sold out: fans can still join its queue.
 */
export function classAvailability(s: SectorView, kind: AvailabilityKind): { free: number; held: number } {
  const pick = (c: { full: number; meia: number }) => (kind === "all" ? c.full + c.meia : c[kind]);
  return { free: pick(s.available), held: pick(s.inProgress) };
}

/** The show with its sectors' counts as the show's object gave them (the socket's `availability` message). */
export function withAvailability(show: ShowView, classes: ClassAvailability[]): ShowView {
  const of = (sector: string, meia: boolean, was: { available: number; inProgress: number }) =>
    classes.find((c) => c.sector === sector && c.meia === meia) ?? was;
  return {
    ...show,
    sectors: show.sectors.map((s) => {
      const full = of(s.name, false, { available: s.available.full, inProgress: s.inProgress.full });
      const meia = of(s.name, true, { available: s.available.meia, inProgress: s.inProgress.meia });
      return {
        ...s,
        available: { full: full.available, meia: meia.available },
        inProgress: { full: full.inProgress, meia: meia.inProgress },
      };
    }),
  };
}

export interface ShowView
  extends Pick<ShowRow, "id" | "festival" | "address" | "holdSeconds" | "maxTicketsPerUser" | "lanes" | "status"> {
  band: BandView;
  /** While `preparing`: how far the seats are written (the show goes on sale when all exist); else null. */
  preparation: { seatsCreated: number; seatsTotal: number } | null;
  /** ISO times. */
  startsAt: string;
  salesOpenAt: string;
  /** The fair opening (#14): when the pre-queue opens (ISO), and the draw's commitment; both null without one. */
  prequeueOpensAt: string | null;
  drawCommitment: string | null;
  sectors: SectorView[];
}

/** A page of the catalogue (`GET /api/shows`): `nextCursor` asks for the next one. */
export interface CataloguePage {
  shows: ShowView[];
  nextCursor: string | null;
}
