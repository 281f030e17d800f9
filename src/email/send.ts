/**
 * The email delivery seam. `EMAIL_PROVIDER`:
 * - `log` (local): the mail is printed to the console and kept in the address's `DevOutbox`, which
 *   `GET /dev/outbox` reads;
 * - `resend`: Resend's HTTP API over `fetch` (https://resend.com/docs/api-reference/emails/send-email),
 *   from `EMAIL_FROM`, authenticated by the secret `RESEND_API_KEY`.
 * Anything else is a configuration error, said as such. A mail the provider refused is
 * `502 EMAIL_NOT_SENT`, so the fan is never left waiting for a code that is not coming.
 */
import { ApiError } from "../errors";
import type { Mail } from "./code-mail";

export const RESEND_ENDPOINT = "https://api.resend.com/emails";

export function usesDevOutbox(env: Pick<Env, "EMAIL_PROVIDER">): boolean {
  return env.EMAIL_PROVIDER === "log";
}

export function outboxOf(env: Pick<Env, "OUTBOX">, address: string) {
  return env.OUTBOX.getByName(address);
}

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export interface SendOptions {
  /** One mail per sign-in challenge, even if the call is retried. */
  idempotencyKey: string;
  /** The network, replaced by tests of the real provider. */
  fetch?: Fetch;
}

type MailEnv = Pick<Env, "EMAIL_PROVIDER" | "EMAIL_FROM" | "OUTBOX"> & { RESEND_API_KEY?: string };

export async function sendMail(env: MailEnv, mail: Mail, opts: SendOptions): Promise<void> {
  const provider = env.EMAIL_PROVIDER;
  if (provider === "log") {
    console.log(`[mail to ${mail.to}] ${mail.subject}\n${mail.text}`);
    await outboxOf(env, mail.to).deliver({ ...mail, sentAt: new Date().toISOString() });
    return;
  }
  if (provider === "resend") return sendWithResend(env, mail, opts);
  throw new Error(`EMAIL_PROVIDER "${provider}" is not one we know: use "log" (local) or "resend"`);
}

async function sendWithResend(env: MailEnv, mail: Mail, opts: SendOptions): Promise<void> {
  const key = env.RESEND_API_KEY;
  if (!key) {
    throw new Error("RESEND_API_KEY is not set: `wrangler secret put RESEND_API_KEY` (or EMAIL_PROVIDER=log locally)");
  }
  const send = opts.fetch ?? ((input, init) => fetch(input, init));
  let res: Response;
  try {
    res = await send(RESEND_ENDPOINT, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        "idempotency-key": opts.idempotencyKey,
      },
      body: JSON.stringify({
        from: env.EMAIL_FROM,
        to: [mail.to],
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      }),
    });
  } catch (err) {
    console.error("mail: Resend unreachable", { error: err });
    throw notSent();
  }
  if (!res.ok) {
    // Resend's own words say what is wrong (an unverified domain, a bad key): for the logs only.
    console.error("mail: Resend refused the mail", { status: res.status, body: (await res.text()).slice(0, 500) });
    throw notSent();
  }
}

const notSent = () =>
  new ApiError("EMAIL_NOT_SENT", "the sign-in code could not be sent right now; please try again in a minute");
