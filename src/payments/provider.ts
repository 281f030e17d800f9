/**
 * The seam between catraca and whoever takes the money. One interface, chosen by
 * `PAYMENT_PROVIDER`: the sandbox (catraca's own checkout page, the local default) or Stripe. The
 * rest of catraca never sees a provider's objects, only these shapes.
 */
import { PAYMENT_PROVIDERS, type PaymentProviderName, type PaymentRow } from "../db/schema";

export type ProviderName = PaymentProviderName;

export function isProviderName(name: string): name is ProviderName {
  return (PAYMENT_PROVIDERS as readonly string[]).includes(name);
}

/** Everything a provider needs to open a checkout for one held ticket. */
export interface CheckoutRequest {
  paymentId: string;
  showId: string;
  ticketId: string;
  fanId: string;
  fanEmail: string | undefined;
  amountCents: number;
  /** What the fan buys, as the provider's page shows it. */
  title: string;
  description: string;
  /** When the hold ends (epoch ms): the checkout must not outlive it by much. */
  holdExpiresAt: number;
  now: number;
  /** Where the provider sends the fan back, paid or not. */
  returnUrl: string;
}

export interface Checkout {
  /** The provider's id for this checkout; null where catraca is the provider (the sandbox). */
  externalId: string | null;
  url: string;
}

/** A payment's state at the provider, read from its API (never taken from a webhook's body). */
export type ProviderStatus =
  /** Nothing paid yet, and the fan can still pay. */
  | { kind: "open" }
  /** The fan has started paying and the provider waits on them or their bank (a Pix code issued, 3-D Secure). */
  | { kind: "in-flight" }
  | { kind: "paid"; amountCents: number; currency: string }
  /** Expired, cancelled or failed: no money, and none can come through this checkout. */
  | { kind: "closed" };

/** A verified webhook: which delivery it was, and which of our payments it is about. */
export interface WebhookEvent {
  eventId: string;
  type: string;
  /** The signature's timestamp (epoch s): with the event id, what makes a delivery unique. */
  signedAt: number;
  /** Our payment, from the metadata catraca gave the checkout; undefined for events about anything else. */
  paymentId: string | undefined;
}

/** A webhook that does not verify: missing, forged, stale or unconfigured. Answered 400 BAD_SIGNATURE. */
export class BadSignature extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadSignature";
  }
}

/** The provider could not be reached or refused a call: nothing was changed on our side. */
export class ProviderUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProviderUnavailable";
  }
}

export interface PaymentProvider {
  readonly name: ProviderName;
  /** Open a checkout for a held ticket. Throws `ProviderUnavailable`. */
  createCheckout(request: CheckoutRequest): Promise<Checkout>;
  /** Verify a webhook exactly as the provider documents it. Throws `BadSignature`. */
  verifyWebhook(rawBody: string, headers: Headers, now: number): Promise<WebhookEvent>;
  /** The payment's state at the provider now. */
  status(payment: PaymentRow): Promise<ProviderStatus>;
  /**
   * The hold is over: make the checkout unpayable (expire it, cancel a payment in flight) and
   * answer the state it ended in: `paid` when the money won the race.
   */
  close(payment: PaymentRow): Promise<ProviderStatus>;
  /**
   * Give the money back; answers the provider's refund id. Absent where the provider cannot (the
   * sandbox moves no money): the payment stays REFUND_DUE, listed for the organizer.
   */
  refund?(payment: PaymentRow): Promise<string>;
}
