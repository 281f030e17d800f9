/**
 * A local fake of the parts of Stripe's HTTP API that catraca calls, for the tests: Checkout
 * Sessions (create, retrieve with `expand[]=payment_intent`, expire), PaymentIntents (cancel) and
 * Refunds (create), with Stripe's request encoding (form, bracketed keys), authentication (the
 * secret key as bearer), idempotency keys, object shapes and error shape, and the constraints
 * catraca must respect (a session's `expires_at` 30 minutes to 24 hours ahead, a Pix code's life
 * 10 s to 14 days, BRL for Pix, card and Pix allowed).
 *
 * What a payer does on Stripe's page is driven through `/_test/...` routes, which are not Stripe's:
 * pay by card or Pix, issue a Pix code, wait on 3-D Secure; and "Stripe is down" for the checkouts
 * of one show. State is per session, so test files running at once do not meet.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

type Json = Record<string, unknown>;

interface Intent {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_received: number;
  currency: string;
  status: "requires_payment_method" | "requires_action" | "processing" | "succeeded" | "canceled";
  metadata: Record<string, string>;
  payment_method_types: string[];
  next_action: Json | null;
  refunded: boolean;
}

interface Session {
  id: string;
  object: "checkout.session";
  amount_subtotal: number;
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  customer_email: string | null;
  created: number;
  expires_at: number;
  livemode: false;
  locale: string | null;
  metadata: Record<string, string>;
  mode: "payment";
  allowed_payment_method_types: string[];
  payment_method_options: { pix?: { expires_after_seconds: number } };
  payment_intent: string | null;
  payment_status: "paid" | "unpaid";
  status: "open" | "complete" | "expired";
  success_url: string;
  cancel_url: string | null;
  url: string | null;
}

const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString("hex")}`;
const nowS = () => Math.floor(Date.now() / 1000);

/** Stripe's form encoding: `a[b][0][c]=v` into nested objects and arrays. */
export function parseForm(body: string): Json {
  const out: Json = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const path = rawKey.replace(/\]/g, "").split("[");
    let node: Record<string, unknown> = out;
    path.forEach((part, i) => {
      const key = part === "" ? String(Object.keys(node).length) : part;
      if (i === path.length - 1) node[key] = value;
      else {
        node[key] ??= {};
        node = node[key] as Record<string, unknown>;
      }
    });
  }
  return out;
}

const list = (v: unknown): string[] => (v && typeof v === "object" ? Object.values(v).map(String) : []);

class StripeError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | undefined;

  constructor(status: number, type: string, message: string, code?: string) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
  }
}

export class FakeStripe {
  readonly sessions = new Map<string, Session>();
  readonly intents = new Map<string, Intent>();
  /** Every API call made on a session (its own and its intent's), in order: `expire`, `cancel`, `refund`. */
  readonly calls = new Map<string, string[]>();
  private readonly idempotent = new Map<string, unknown>();
  /** Shows whose checkouts fail (Stripe down for them). */
  readonly failing = new Set<string>();
  private server: Server | undefined;
  port = 0;

  readonly secretKey: string;

  constructor(secretKey: string) {
    this.secretKey = secretKey;
  }

  async start(): Promise<number> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
    return this.port;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.base);
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "request-id": id("req") });
      res.end(JSON.stringify(json));
    };
    try {
      if (url.pathname.startsWith("/_test/")) return send(200, this.control(req.method ?? "GET", url, body));
      if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
        throw new StripeError(401, "invalid_request_error", "Invalid API Key provided");
      }
      const key = req.headers["idempotency-key"];
      const remembered = typeof key === "string" ? this.idempotent.get(key) : undefined;
      if (remembered) return send(200, remembered);
      const answer = this.api(req.method ?? "GET", url, parseForm(req.method === "GET" ? url.search.slice(1) : body));
      if (typeof key === "string") this.idempotent.set(key, answer);
      send(200, answer);
    } catch (err) {
      if (err instanceof StripeError) {
        send(err.status, { error: { type: err.type, message: err.message, ...(err.code && { code: err.code }) } });
      } else {
        send(500, { error: { type: "api_error", message: String(err) } });
      }
    }
  }

  // --- Stripe's API ---------------------------------------------------------------------------

  private api(method: string, url: URL, params: Json): unknown {
    const parts = url.pathname.split("/").filter(Boolean);
    if (method === "POST" && url.pathname === "/v1/checkout/sessions") return this.createSession(params);
    if (parts[0] === "v1" && parts[1] === "checkout" && parts[2] === "sessions" && parts[3]) {
      const s = this.session(parts[3]);
      if (method === "GET" && parts.length === 4) return this.view(s, list(params.expand).includes("payment_intent"));
      if (method === "POST" && parts[4] === "expire") {
        this.log(s, "expire");
        if (s.status !== "open") {
          throw new StripeError(
            400,
            "invalid_request_error",
            `Only Checkout Sessions with a status in [open] can be expired. This Checkout Session has a status of ${s.status}.`,
          );
        }
        s.status = "expired";
        return this.view(s, false);
      }
    }
    if (method === "POST" && parts[1] === "payment_intents" && parts[2] && parts[3] === "cancel") {
      const pi = this.intent(parts[2]);
      this.log(this.sessionOf(pi), "cancel");
      if (!["requires_payment_method", "requires_action", "processing"].includes(pi.status)) {
        throw new StripeError(
          400,
          "invalid_request_error",
          `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`,
          "payment_intent_unexpected_state",
        );
      }
      pi.status = "canceled";
      pi.next_action = null;
      return intentView(pi);
    }
    if (method === "POST" && url.pathname === "/v1/refunds") {
      const pi = this.intent(String(params.payment_intent ?? ""));
      this.log(this.sessionOf(pi), "refund");
      if (pi.status !== "succeeded") {
        throw new StripeError(
          400,
          "invalid_request_error",
          "This PaymentIntent does not have a successful charge to refund.",
        );
      }
      if (pi.refunded) {
        throw new StripeError(
          400,
          "invalid_request_error",
          `Charge for ${pi.id} has already been refunded.`,
          "charge_already_refunded",
        );
      }
      pi.refunded = true;
      return {
        id: id("re"),
        object: "refund",
        amount: pi.amount_received,
        currency: pi.currency,
        payment_intent: pi.id,
        status: "succeeded",
        metadata: (params.metadata as Record<string, string> | undefined) ?? {},
      };
    }
    throw new StripeError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${url.pathname}).`);
  }

  private createSession(p: Json): Session {
    const invalid = (param: string, message: string) => {
      throw new StripeError(400, "invalid_request_error", `${param}: ${message}`, "parameter_invalid");
    };
    const metadata = (p.metadata ?? {}) as Record<string, string>;
    if (metadata.show_id && this.failing.has(metadata.show_id)) {
      throw new StripeError(500, "api_error", "An unknown error occurred (the fake is down for this show)");
    }
    if (p.mode !== "payment") invalid("mode", "must be payment");
    const methods = list(p.allowed_payment_method_types);
    if (!methods.includes("card") || !methods.includes("pix"))
      invalid("allowed_payment_method_types", "card and pix expected");
    const items = Object.values((p.line_items ?? {}) as Record<string, Json>);
    const price = items[0]?.price_data as Json | undefined;
    if (items.length !== 1 || !price) invalid("line_items", "one line item with price_data expected");
    const currency = String(price?.currency);
    if (currency !== "brl") invalid("line_items[0][price_data][currency]", "pix requires brl");
    const amount = Number(price?.unit_amount);
    if (!Number.isInteger(amount) || amount < 50)
      invalid("line_items[0][price_data][unit_amount]", "at least 50 (R$0,50)");
    const expiresAt = Number(p.expires_at);
    const created = nowS();
    if (!(expiresAt >= created + 30 * 60 && expiresAt <= created + 24 * 3600)) {
      invalid(
        "expires_at",
        "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
      );
    }
    const pix = ((p.payment_method_options as Json | undefined)?.pix ?? {}) as Json;
    const pixS = Number(pix.expires_after_seconds ?? 86_400);
    if (!(pixS >= 10 && pixS <= 1_209_600))
      invalid("payment_method_options[pix][expires_after_seconds]", "between 10 and 1209600");
    if (typeof p.success_url !== "string") invalid("success_url", "required");
    const sessionId = id("cs");
    const session: Session = {
      id: sessionId,
      object: "checkout.session",
      amount_subtotal: amount,
      amount_total: amount,
      currency,
      client_reference_id: typeof p.client_reference_id === "string" ? p.client_reference_id : null,
      customer_email: typeof p.customer_email === "string" ? p.customer_email : null,
      created,
      expires_at: expiresAt,
      livemode: false,
      locale: typeof p.locale === "string" ? p.locale : null,
      metadata,
      mode: "payment",
      allowed_payment_method_types: methods,
      payment_method_options: { pix: { expires_after_seconds: pixS } },
      payment_intent: null,
      payment_status: "unpaid",
      status: "open",
      success_url: String(p.success_url),
      cancel_url: typeof p.cancel_url === "string" ? p.cancel_url : null,
      url: `${this.base}/c/pay/${sessionId}`,
    };
    const intentMeta = ((p.payment_intent_data as Json | undefined)?.metadata ?? {}) as Record<string, string>;
    this.sessions.set(sessionId, session);
    this.pendingIntentMeta.set(sessionId, intentMeta);
    return session;
  }

  /** Checkout creates the PaymentIntent when the payer submits the form, with `payment_intent_data`. */
  private readonly pendingIntentMeta = new Map<string, Record<string, string>>();

  private ensureIntent(s: Session, method: "card" | "pix"): Intent {
    if (s.payment_intent) return this.intent(s.payment_intent);
    const pi: Intent = {
      id: id("pi"),
      object: "payment_intent",
      amount: s.amount_total,
      amount_received: 0,
      currency: s.currency,
      status: "requires_payment_method",
      metadata: this.pendingIntentMeta.get(s.id) ?? {},
      payment_method_types: [method],
      next_action: null,
      refunded: false,
    };
    this.intents.set(pi.id, pi);
    s.payment_intent = pi.id;
    return pi;
  }

  private session(sessionId: string): Session {
    const s = this.sessions.get(sessionId);
    if (!s)
      throw new StripeError(
        404,
        "invalid_request_error",
        `No such checkout.session: '${sessionId}'`,
        "resource_missing",
      );
    return s;
  }

  private intent(intentId: string): Intent {
    const pi = this.intents.get(intentId);
    if (!pi)
      throw new StripeError(404, "invalid_request_error", `No such payment_intent: '${intentId}'`, "resource_missing");
    return pi;
  }

  private sessionOf(pi: Intent): Session | undefined {
    return [...this.sessions.values()].find((s) => s.payment_intent === pi.id);
  }

  private log(s: Session | undefined, call: string) {
    if (s) this.calls.set(s.id, [...(this.calls.get(s.id) ?? []), call]);
  }

  private view(s: Session, expandIntent: boolean): Json {
    const pi = s.payment_intent ? this.intents.get(s.payment_intent) : undefined;
    return { ...s, payment_intent: expandIntent && pi ? intentView(pi) : s.payment_intent };
  }

  // --- the payer, and the tests' levers (not Stripe's API) ----------------------------------------

  private control(method: string, url: URL, body: string): unknown {
    const parts = url.pathname.split("/").filter(Boolean);
    const params = body ? (JSON.parse(body) as Json) : {};
    if (parts[1] === "down") {
      const show = String(params.showId);
      if (params.down) this.failing.add(show);
      else this.failing.delete(show);
      return { down: [...this.failing] };
    }
    if (parts[1] !== "sessions" || !parts[2]) throw new StripeError(404, "invalid_request_error", "no such test route");
    const s = this.session(parts[2]);
    if (method === "GET") {
      return {
        session: this.view(s, false),
        intent: s.payment_intent ? intentView(this.intent(s.payment_intent)) : null,
        calls: this.calls.get(s.id) ?? [],
      };
    }
    const action = parts[3];
    const pending = () => {
      if (s.status !== "open") throw new StripeError(400, "invalid_request_error", `the session is ${s.status}`);
    };
    if (action === "pay-card") {
      pending();
      const pi = this.ensureIntent(s, "card");
      this.succeed(s, pi, params);
    } else if (action === "three-d-secure") {
      pending();
      const pi = this.ensureIntent(s, "card");
      pi.status = "requires_action";
      pi.next_action = { type: "use_stripe_sdk" };
    } else if (action === "issue-pix") {
      pending();
      const pi = this.ensureIntent(s, "pix");
      pi.status = "requires_action";
      pi.next_action = {
        type: "pix_display_qr_code",
        pix_display_qr_code: {
          data: "00020126580014br.gov.bcb.pix",
          expires_at: nowS() + (s.payment_method_options.pix?.expires_after_seconds ?? 86_400),
          hosted_instructions_url: `${this.base}/pix/${pi.id}`,
        },
      };
      s.status = "complete";
    } else if (action === "pay-pix") {
      const pi = this.intent(s.payment_intent ?? "");
      if (pi.status !== "requires_action")
        throw new StripeError(400, "invalid_request_error", `the Pix is ${pi.status}`);
      this.succeed(s, pi, params);
    } else if (action === "pix-expires") {
      const pi = this.intent(s.payment_intent ?? "");
      pi.status = "requires_payment_method";
      pi.next_action = null;
    } else {
      throw new StripeError(404, "invalid_request_error", "no such test action");
    }
    return { session: this.view(s, false) };
  }

  /** The money arrives; a test may make it another amount or currency than the session's. */
  private succeed(s: Session, pi: Intent, params: Json) {
    if (typeof params.amount === "number") {
      s.amount_total = params.amount;
      pi.amount = params.amount;
    }
    if (typeof params.currency === "string") {
      s.currency = params.currency;
      pi.currency = params.currency;
    }
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    pi.next_action = null;
    s.status = "complete";
    s.payment_status = "paid";
  }
}

function intentView(pi: Intent): Json {
  const { refunded: _refunded, ...rest } = pi;
  return rest;
}
