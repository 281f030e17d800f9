import { Hono } from "hono";
import { issueSession } from "../auth";
import { database } from "../db/database";
import { upsertUser } from "../db/queries";
import { clientAddress, rateLimit } from "../rate-limit";
import { sessionBody } from "../schemas";
import { validate } from "../validate";

/** `POST /api/sessions`: a fan signs in with name and email and gets a signed session. */
export const sessions = new Hono<{ Bindings: Env }>().post(
  "/",
  rateLimit("SIGN_IN_LIMITER", clientAddress),
  validate("json", sessionBody),
  async (c) => {
    const { name, email } = c.req.valid("json");
    const user = await upsertUser(database(c.env.DB), name, email);
    const token = await issueSession(c, { id: user.id, name: user.name });
    return c.json({ user, token }, 201);
  },
);
