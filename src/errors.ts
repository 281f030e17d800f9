import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error code the API answers with, and its HTTP status (CONTRACT.md). */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  PAYMENT_NOT_APPROVED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  SHOW_NOT_FOUND: 404,
  TICKET_NOT_HELD: 404,
  PAYMENT_NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  SOLD_OUT: 409,
  LIMIT_REACHED: 409,
  SALES_NOT_OPEN: 409,
  HOLD_EXPIRED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UPGRADE_REQUIRED: 426,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** Thrown anywhere in a request; the app's one error handler turns it into the contract's shape. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** The refusals of a show that is not on sale for good reasons of its own (#17). */
export const SHOW_NOT_ON_SALE = {
  preparing: (p: { seatsCreated: number; seatsTotal: number }) =>
    `this show is being prepared (${p.seatsCreated} of ${p.seatsTotal} seats ready); sales open once every seat exists`,
  archived: "this show is archived: its sale is closed",
} as const;
