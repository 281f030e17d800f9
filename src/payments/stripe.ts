/**
 * Stripe: Checkout Sessions with card and Pix, in BRL. The official SDK over the Workers' fetch
 * (`createFetchHttpClient`) and Web Crypto (`createSubtleCryptoProvider`, for the asynchronous
 * webhook verification). `STRIPE_API_URL` points it at another host (the tests' local fake of
 * Stripe's API); unset, it talks to api.stripe.com.
 *
 * A Checkout Session cannot expire sooner than 30 minutes after it is created, and holds are
 * shorter (10 minutes by default), so a session is created to expire at that minimum and closed
 * explicitly once the hold is over (`close`: the cron's sweep). A Pix code's life starts when the
 * fan chooses Pix, so it is given the hold's remaining time plus the grace: it never dies before
 * the hold it pays for, and `close` cancels it once the hold is over.
 */
import Stripe from "stripe";
import type { PaymentRow } from "../db/schema";
import { PAYMENT_GRACE_MS } from "../show/rules";
import {
  BadSignature,
  type CheckoutRequest,
  type PaymentProvider,
  type ProviderStatus,
  ProviderUnavailable,
  type WebhookEvent,
} from "./provider";

/** Stripe's shortest Checkout Session (30 minutes), plus a minute for the clocks to disagree. */
const SESSION_LIFETIME_S = 31 * 60;
/** Pix codes live between 10 s and 14 days (`payment_method_options.pix.expires_after_seconds`). */
const PIX_MIN_S = 10;
const PIX_MAX_S = 14 * 86_400;
/** Stripe's documented tolerance for a webhook signature's timestamp. */
const WEBHOOK_TOLERANCE_S = 300;
const TIMEOUT_MS = 10_000;

export interface StripeConfig {
  secretKey: string | undefined;
  webhookSecret: string | undefined;
  apiUrl: string | undefined;
}

const crypto = Stripe.createSubtleCryptoProvider();
const clients = new Map<string, Stripe>();

function client(config: StripeConfig): Stripe {
  if (!config.secretKey) throw new ProviderUnavailable("Stripe is not configured: set STRIPE_SECRET_KEY");
  const key = `${config.secretKey}|${config.apiUrl ?? ""}`;
  let stripe = clients.get(key);
  if (!stripe) {
    const api = config.apiUrl ? new URL(config.apiUrl) : undefined;
    stripe = new Stripe(config.secretKey, {
      httpClient: Stripe.createFetchHttpClient(),
      // Retried calls carry idempotency keys, so a retry never opens a second checkout or refund.
      maxNetworkRetries: 1,
      timeout: TIMEOUT_MS,
      ...(api && {
        host: api.hostname,
        port: api.port || (api.protocol === "https:" ? 443 : 80),
        protocol: api.protocol === "http:" ? "http" : "https",
      }),
    });
    clients.set(key, stripe);
  }
  return stripe;
}

function metadata(r: CheckoutRequest): Record<string, string> {
  return { payment_id: r.paymentId, show_id: r.showId, ticket_id: r.ticketId, fan_id: r.fanId };
}

async function session(stripe: Stripe, payment: PaymentRow) {
  if (!payment.externalId) return undefined;
  return stripe.checkout.sessions.retrieve(payment.externalId, { expand: ["payment_intent"] });
}

function statusOf(s: Stripe.Checkout.Session | undefined): ProviderStatus {
  // A payment whose checkout never opened (the provider failed) cannot be paid.
  if (!s) return { kind: "closed" };
  if (s.payment_status === "paid") {
    return { kind: "paid", amountCents: s.amount_total ?? 0, currency: s.currency ?? "" };
  }
  if (s.status === "expired") return { kind: "closed" };
  const intent = typeof s.payment_intent === "object" ? s.payment_intent : null;
  if (intent?.status === "requires_action" || intent?.status === "processing") return { kind: "in-flight" };
  // Open: the fan can still pay. Complete and unpaid without an intent in flight: the Pix expired or failed.
  return s.status === "open" ? { kind: "open" } : { kind: "closed" };
}

/** Our payment id in the metadata catraca gave the checkout (and its payment intent). */
function paymentIdOf(event: Stripe.Event): string | undefined {
  const object = event.data.object as { object?: string; metadata?: Record<string, string> | null };
  if (object.object !== "checkout.session" && object.object !== "payment_intent") return undefined;
  return object.metadata?.payment_id || undefined;
}

function signedAt(header: string): number {
  const t = header.split(",").find((part) => part.startsWith("t="));
  return Number(t?.slice(2));
}

export function stripeProvider(config: StripeConfig): PaymentProvider {
  return {
    name: "stripe",

    async createCheckout(r) {
      const remainingS = Math.ceil((r.holdExpiresAt - r.now) / 1000);
      const pixS = Math.min(PIX_MAX_S, Math.max(PIX_MIN_S, remainingS + PAYMENT_GRACE_MS / 1000));
      try {
        const s = await client(config).checkout.sessions.create(
          {
            mode: "payment",
            // A filter over the methods enabled in the Dashboard: card and Pix must be enabled there.
            allowed_payment_method_types: ["card", "pix"],
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: "brl",
                  unit_amount: r.amountCents,
                  product_data: { name: r.title, description: r.description },
                },
              },
            ],
            client_reference_id: r.paymentId,
            ...(r.fanEmail && { customer_email: r.fanEmail }),
            metadata: metadata(r),
            payment_intent_data: { metadata: metadata(r), description: r.title },
            payment_method_options: { pix: { expires_after_seconds: pixS } },
            expires_at: Math.floor(r.now / 1000) + SESSION_LIFETIME_S,
            success_url: r.returnUrl,
            cancel_url: r.returnUrl,
            locale: "pt-BR",
          },
          { idempotencyKey: `checkout-${r.paymentId}` },
        );
        if (!s.url) throw new ProviderUnavailable("Stripe answered a Checkout Session without a url");
        return { externalId: s.id, url: s.url };
      } catch (err) {
        if (err instanceof ProviderUnavailable) throw err;
        throw new ProviderUnavailable(`Stripe did not open the checkout: ${String(err)}`, { cause: err });
      }
    },

    async verifyWebhook(rawBody, headers, now): Promise<WebhookEvent> {
      const header = headers.get("stripe-signature");
      if (!config.webhookSecret) throw new BadSignature("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)");
      if (!header) throw new BadSignature("no Stripe-Signature header");
      let event: Stripe.Event;
      try {
        // HMAC-SHA256 over `${t}.${body}`, compared in constant time, `t` within the tolerance.
        event = await Stripe.webhooks.constructEventAsync(
          rawBody,
          header,
          config.webhookSecret,
          WEBHOOK_TOLERANCE_S,
          crypto,
          now,
        );
      } catch (err) {
        throw new BadSignature(err instanceof Error ? err.message.split("\n")[0] || "bad signature" : "bad signature");
      }
      // Stripe checks only that the signature is not too old; one from the future is as suspect.
      const t = signedAt(header);
      if (t * 1000 > now + WEBHOOK_TOLERANCE_S * 1000) throw new BadSignature("Timestamp outside the tolerance zone");
      return { eventId: event.id, type: event.type, signedAt: t, paymentId: paymentIdOf(event) };
    },

    async status(payment) {
      return statusOf(await session(client(config), payment));
    },

    async close(payment) {
      const stripe = client(config);
      const s = await session(stripe, payment);
      const now = statusOf(s);
      try {
        if (s && now.kind === "open") {
          return statusOf(await stripe.checkout.sessions.expire(s.id));
        }
        const intent = s && typeof s.payment_intent === "object" ? s.payment_intent : null;
        if (intent && now.kind === "in-flight") {
          await stripe.paymentIntents.cancel(intent.id);
          return { kind: "closed" };
        }
      } catch (err) {
        // Refused because it changed meanwhile (paid a moment ago): read what it became.
        if (!(err instanceof Stripe.errors.StripeInvalidRequestError)) throw err;
        return statusOf(await session(stripe, payment));
      }
      return now;
    },

    async refund(payment) {
      const stripe = client(config);
      const s = await session(stripe, payment);
      const intent = s && typeof s.payment_intent === "object" ? s.payment_intent : null;
      if (!intent) throw new ProviderUnavailable(`payment ${payment.id}: Stripe has no payment to refund`);
      const refund = await stripe.refunds.create(
        { payment_intent: intent.id, metadata: { payment_id: payment.id } },
        { idempotencyKey: `refund-${payment.id}` },
      );
      return refund.id;
    },
  };
}
