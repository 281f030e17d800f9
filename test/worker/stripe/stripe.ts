/**
 * The Stripe project's levers: the payer on the fake Stripe (test/support/fake-stripe.ts), events
 * signed with Stripe's real scheme (`generateTestHeaderStringAsync`), delivered to the webhook.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import Stripe from "stripe";
import worker from "../../../src/index";
import { call, type TestFan } from "../helpers";
import { holdWithPayment } from "../payments";

const FAKE = env.STRIPE_API_URL as string;
export const WEBHOOK_SECRET = env.STRIPE_WEBHOOK_SECRET as string;
const subtle = Stripe.createSubtleCryptoProvider();

// biome-ignore lint/suspicious/noExplicitAny: Stripe's objects are checked field by field
type Obj = any;

async function control(path: string, body?: unknown): Promise<Obj> {
  const res = await fetch(`${FAKE}/_test/${path}`, {
    method: body === undefined ? "GET" : "POST",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`fake Stripe ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The fan's side of Stripe's page, and what Stripe holds. */
export const payer = {
  payByCard: (sessionId: string, paid: { amount?: number; currency?: string } = {}) =>
    control(`sessions/${sessionId}/pay-card`, paid),
  threeDSecure: (sessionId: string) => control(`sessions/${sessionId}/three-d-secure`, {}),
  issuePix: (sessionId: string) => control(`sessions/${sessionId}/issue-pix`, {}),
  payPix: (sessionId: string) => control(`sessions/${sessionId}/pay-pix`, {}),
};

/** The session as Stripe has it, its payment intent, and the calls catraca made on them. */
export async function atStripe(sessionId: string): Promise<{ session: Obj; intent: Obj; calls: string[] }> {
  return control(`sessions/${sessionId}`);
}

export const stripeDown = (showId: string, down: boolean) => control("down", { showId, down });

/** Hold a ticket and open a checkout for it: the payment and its Checkout Session. */
export async function holdAndCheckout(showId: string, fan: TestFan) {
  const { held, pay: created } = await holdWithPayment(showId, fan);
  const ticketId = held.json.ticket.id as string;
  const paymentId = created.json.payment.id as string;
  const row = await env.DB.prepare("SELECT external_id AS sessionId FROM payments WHERE id = ?")
    .bind(paymentId)
    .first<{ sessionId: string }>();
  return {
    ticketId,
    expiresAt: Date.parse(held.json.expiresAt),
    paymentId,
    sessionId: row?.sessionId as string,
    checkoutUrl: created.json.checkoutUrl as string,
  };
}

let eventSeq = 0;

/** An event as Stripe sends it, about the session's (or its intent's) current state at the fake. */
export async function stripeEvent(type: string, sessionId: string): Promise<Obj> {
  const { session, intent } = await atStripe(sessionId);
  return {
    id: `evt_test_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000) + eventSeq++,
    data: { object: type.startsWith("payment_intent.") ? intent : session },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

/** A Stripe-Signature header for `payload`, as Stripe makes it. */
export function sign(payload: string, opts: { timestamp?: number; secret?: string } = {}) {
  return Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: opts.secret ?? WEBHOOK_SECRET,
    timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000),
    cryptoProvider: subtle,
  });
}

export function postWebhook(payload: string, signature: string | undefined, provider = "stripe") {
  return call("POST", `/api/payments/webhook/${provider}`, {
    body: payload,
    headers: signature === undefined ? {} : { "stripe-signature": signature },
  });
}

/** Deliver an event as Stripe does: freshly signed each time (a retry, later, is re-signed too). */
export async function deliver(event: Obj, opts: { timestamp?: number } = {}) {
  const payload = JSON.stringify(event);
  return postWebhook(payload, await sign(payload, opts));
}

export async function payment(paymentId: string) {
  const row = await env.DB.prepare(
    "SELECT status, grace_until AS graceUntil, refund_id AS refundId, external_id AS sessionId FROM payments WHERE id = ?",
  )
    .bind(paymentId)
    .first<{ status: string; graceUntil: number | null; refundId: string | null; sessionId: string | null }>();
  return row;
}

/** The Worker's cron, as the runtime runs it every minute. */
export async function runCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}
