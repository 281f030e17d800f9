import { Hono } from "hono";
import { type FanVariables, requireAdmin, requireFan } from "../auth";
import { database } from "../db/database";
import { bookedTicket } from "../db/queries";
import { admitOnline } from "../door/admission";
import { ApiError } from "../errors";
import { type DoorVariables, requireDoor } from "../organizer";
import { checkinBody, verifyTicketBody } from "../schemas";
import { signTicketCode, verifyTicketCode } from "../ticket-code";
import { validate } from "../validate";

type TicketsEnv = { Bindings: Env; Variables: FanVariables & DoorVariables };

/** Why the door refuses a code; a refusal is an answer (200), not an API error. */
type Refusal = "INVALID_CODE" | "NOT_BOOKED" | "OTHER_SHOW";

/**
 * Booked tickets: the fan gets a signed code for the QR (`GET /api/tickets/:ticketId`); the door
 * lets it in once (`POST /api/tickets/checkin`, a gate's credential or the organizer), and the
 * organizer can check a code without using it (`POST /api/tickets/verify`, read-only).
 */
export const ticketsRoutes = new Hono<TicketsEnv>()
  .post("/checkin", requireDoor, validate("json", checkinBody), async (c) => {
    return c.json(await admitOnline(c.env, c.var.door, c.req.valid("json"), Date.now()));
  })
  .post("/verify", requireAdmin, validate("json", verifyTicketBody), async (c) => {
    const { code, showId } = c.req.valid("json");
    const refuse = (reason: Refusal) => c.json({ valid: false, reason });
    const claims = await verifyTicketCode(c.env, code);
    if (!claims) return refuse("INVALID_CODE");
    if (showId !== undefined && claims.showId !== showId) return refuse("OTHER_SHOW");
    const booked = await bookedTicket(database(c.env.DB), claims.ticketId);
    // D1 is the record: the signature says we issued the code, the row says it still holds.
    if (!booked || booked.holder.id !== claims.userId || booked.ticket.showId !== claims.showId) {
      return refuse("NOT_BOOKED");
    }
    return c.json({ valid: true, ticket: booked.ticket, holder: booked.holder });
  })
  .get("/:ticketId", requireFan(), async (c) => {
    const booked = await bookedTicket(database(c.env.DB), c.req.param("ticketId"));
    if (!booked || booked.holder.id !== c.var.fan.id) {
      throw new ApiError("TICKET_NOT_FOUND", "no booked ticket of yours with this id");
    }
    const code = await signTicketCode(c.env, {
      ticketId: booked.ticket.id,
      showId: booked.ticket.showId,
      userId: booked.holder.id,
    });
    return c.json({ ticket: booked.ticket, holder: { name: booked.holder.name }, code });
  });
