import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error code the API answers with, and its HTTP status (CONTRACT.md). */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  /** A payment webhook whose signature is missing, forged, stale or replayed. */
  BAD_SIGNATURE: 400,
  /** A ticket code that is malformed or not signed by us. */
  INVALID_CODE: 400,
  WRONG_CODE: 400,
  PASSKEY_REJECTED: 400,
  UNAUTHORIZED: 401,
  PAYMENT_NOT_APPROVED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  SHOW_NOT_FOUND: 404,
  TICKET_NOT_HELD: 404,
  PAYMENT_NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  /** A ticket code for another show than the door's. */
  OTHER_SHOW: 404,
  CREDENTIAL_NOT_FOUND: 404,
  PASSKEY_NOT_FOUND: 404,
  SOLD_OUT: 409,
  LIMIT_REACHED: 409,
  SALES_NOT_OPEN: 409,
  HOLD_EXPIRED: 409,
  /** The ticket already got in; the body says when and at which gate. */
  ALREADY_CHECKED_IN: 409,
  /** A ticket whose code is ours but that D1 no longer says is booked by that fan. */
  NOT_BOOKED: 409,
  REFUND_NOT_DUE: 409,
  CHALLENGE_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UPGRADE_REQUIRED: 426,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  /** The payment provider did not answer (or failed) while catraca opened a checkout. */
  PAYMENT_PROVIDER_UNAVAILABLE: 502,
  EMAIL_NOT_SENT: 502,
  UNAVAILABLE: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The messages that say the same thing wherever they are answered. */
export const MESSAGES = {
  SHOW_NOT_FOUND: "no show with this id",
  TICKET_NOT_HELD: "you do not hold this ticket",
  HOLD_EXPIRED: "the hold on this ticket has ended",
  PAYMENT_NOT_FOUND: "no payment of yours with this id",
  PAYMENT_NOT_APPROVED: "the payment is not approved for this fan, ticket and amount",
  SOLD_OUT: "no ticket of this class is left",
  UPGRADE_REQUIRED: "this endpoint speaks WebSocket: send Upgrade: websocket",
  INTERNAL: "something went wrong on our side; please try again",
} as const satisfies Partial<Record<ErrorCode, string>>;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
  [detail: string]: unknown;
}

/** Thrown anywhere in a request; the app's one error handler turns it into the contract's shape. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Fields beside `error` in the body (e.g. when and where a ticket already got in). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** One of the errors whose message is always the same (`MESSAGES`). */
  static of(code: keyof typeof MESSAGES): ApiError {
    return new ApiError(code, MESSAGES[code]);
  }

  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { ...this.details, error: { code: this.code, message: this.message } };
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * Thrown by a show object when D1, the record of tickets, failed under a call. Whatever the call
 * did or did not do, the object reconciles with D1 before its next decision, and every fan call is
 * safe to repeat (a repeated request keeps the place, a repeated book answers 200), so the fan is
 * told to try again in a moment. Its fields travel with it back to the Worker.
 */
export class RecordUnavailable extends Error {
  readonly unavailable = true;

  constructor(what: string, cause: unknown) {
    super(`D1 failed under ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "RecordUnavailable";
  }
}

/** Seconds a fan is asked to wait before calling an object that could not answer (`Retry-After`). */
export const RETRY_AFTER_SECONDS = { overloaded: 5, unavailable: 2, moving: 1 } as const;

/**
 * A show object that could not answer, as the contract's `503 UNAVAILABLE`: overloaded (the
 * platform's `overloaded`: never retried here, that would only add to the load), its record out
 * of reach (`RecordUnavailable`), or another error the platform calls retryable (an object
 * restarting or moving). Anything else is not this, and answers undefined.
 */
export function unavailable(err: unknown): ApiError | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { overloaded?: unknown; unavailable?: unknown; retryable?: unknown };
  const [seconds, why] =
    e.overloaded === true
      ? [RETRY_AFTER_SECONDS.overloaded, "this show is taking more calls than it can right now"]
      : e.unavailable === true
        ? [RETRY_AFTER_SECONDS.unavailable, "this show's ticket records cannot be reached right now"]
        : e.retryable === true
          ? [RETRY_AFTER_SECONDS.moving, "this show is restarting"]
          : [undefined, ""];
  if (seconds === undefined) return undefined;
  return new ApiError("UNAVAILABLE", `${why}; nothing was lost, try again in ${seconds} seconds`, {
    "retry-after": String(seconds),
  });
}

/** The refusals of a show that is not on sale for good reasons of its own (#17). */
export const SHOW_NOT_ON_SALE = {
  preparing: (p: { seatsCreated: number; seatsTotal: number }) =>
    `this show is being prepared (${p.seatsCreated} of ${p.seatsTotal} seats ready); sales open once every seat exists`,
  archived: "this show is archived: its sale is closed",
} as const;

/** The fair opening (#14): before the pre-queue, and a show without one. */
export const OPENING = {
  notOpen: (salesOpenAt: number, prequeueOpensAt: number | null) =>
    prequeueOpensAt === null
      ? `sales open at ${new Date(salesOpenAt).toISOString()}`
      : `the pre-queue opens at ${new Date(prequeueOpensAt).toISOString()} (the draw at ${new Date(salesOpenAt).toISOString()})`,
  noDraw: "this show has no pre-queue: its sale opens in arrival order, with no draw",
  prequeueAfterSales: "must be before salesOpenAt",
  prequeueNeedsSales: "needs salesOpenAt (the draw happens then)",
} as const;
