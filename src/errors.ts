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
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

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
