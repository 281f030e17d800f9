import { Hono } from "hono";
import { database } from "../db/database";
import { doorTickets, findCredential } from "../db/door";
import { getShow } from "../db/queries";
import { doorShow, syncOffline } from "../door/admission";
import type { DoorManifest } from "../door/manifest";
import { ApiError } from "../errors";
import { type DoorVariables, requireDoor, setDoorCookie } from "../organizer";
import { clientAddress, rateLimit } from "../rate-limit";
import { doorSessionBody, syncBody } from "../schemas";
import { ticketPublicKey } from "../ticket-code";
import { validate } from "../validate";

type DoorEnv = { Bindings: Env; Variables: DoorVariables };

/**
 * The gate phone's API. `POST /session` trades the door link's token for the door's HttpOnly
 * cookie (the page then drops the token from its address); `GET /manifest` is everything a gate
 * needs to keep letting tickets in with no network; `POST /sync` sends what it admitted meanwhile.
 */
export const doorRoutes = new Hono<DoorEnv>()
  .post("/session", rateLimit("SIGN_IN_LIMITER", clientAddress), validate("json", doorSessionBody), async (c) => {
    const { token } = c.req.valid("json");
    const found = await findCredential(database(c.env.DB), token, Date.now());
    if (!found.ok) {
      throw new ApiError(
        "UNAUTHORIZED",
        found.reason === "unknown" ? "not a door link of this site" : `this door link is ${found.reason}`,
      );
    }
    setDoorCookie(c, token, found.expiresAt);
    return c.json({ gate: found.credential.label, showId: found.credential.showId }, 201);
  })
  .get("/manifest", requireDoor, async (c) => {
    const showId = doorShow(c.var.door, c.req.query("showId"));
    if (!showId) throw new ApiError("BAD_REQUEST", "showId: name the show whose door this is");
    const db = database(c.env.DB);
    const show = await getShow(db, showId);
    if (!show) throw new ApiError("SHOW_NOT_FOUND", "no show with this id");
    c.header("cache-control", "no-store");
    return c.json<DoorManifest>({
      show: {
        id: show.id,
        band: show.band.name,
        festival: show.festival,
        address: show.address,
        startsAt: show.startsAt,
      },
      gate: c.var.door.kind === "gate" ? c.var.door.credential.label : "organizer",
      publicKey: await ticketPublicKey(c.env),
      generatedAt: new Date().toISOString(),
      tickets: await doorTickets(db, showId),
    });
  })
  .post("/sync", requireDoor, validate("json", syncBody), async (c) => {
    const { showId, scans } = c.req.valid("json");
    return c.json({ results: await syncOffline(c.env, c.var.door, showId, scans, Date.now()) });
  });
