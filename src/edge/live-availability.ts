/**
 * The catalogue's and the fans' pages' availability from the show objects, not D1: each show's
 * object keeps its classes' held and booked counts in its own storage (src/show/store.ts), so a
 * warm object answers `availability` without a D1 statement. A show that cannot have sold
 * anything (being prepared, sales not open) is counted from its row alone. Should an object refuse
 * (a show archived before its last seat) or fail (overloaded, D1 down under it), that show's
 * counts come from D1, so one busy show never fails a page listing twenty others; this happens once
 * per cache fill (src/edge/shared-cache.ts), never per view.
 */
import { type AvailabilitySource, d1Availability, nothingSoldYet, type ShowWithSectors } from "../db/queries";
import type { ClassAvailability } from "../show/types";

export function objectAvailability(env: Env): AvailabilitySource {
  return async (db, list) => {
    const now = Date.now();
    const counted = new Map<string, ClassAvailability[]>();
    const fromD1: ShowWithSectors[] = [];
    await Promise.all(
      list.map(async (entry) => {
        const id = entry.show.id;
        if (nothingSoldYet(entry.show, now)) return fromD1.push(entry);
        try {
          const answer = await env.SHOWS.getByName(id).availability(id);
          if (answer.ok) return counted.set(id, answer.classes);
        } catch (err) {
          console.warn("availability: the show's object did not answer; counting in D1", {
            show: id,
            error: String(err),
          });
        }
        fromD1.push(entry);
      }),
    );
    // D1 is asked only about the shows above that may have sold something: none, most of the time.
    for (const [id, classes] of await d1Availability(db, fromD1)) counted.set(id, classes);
    return counted;
  };
}
