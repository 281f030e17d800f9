/**
 * The sign-in code's rules as plain functions: how often an email may be sent a code, and what a
 * typed code does to its challenge. The account object applies them to its storage.
 */

/** A code works for 10 minutes after it is sent. */
export const CODE_LIFETIME_MS = 10 * 60_000;
/** The fifth wrong code ends the challenge: a guess has 5 chances in a million per code sent. */
export const MAX_WRONG_TRIES = 5;
/** A new code for the same email at most every 30 s (the page's "resend" waits as long)… */
export const RESEND_AFTER_MS = 30_000;
/** …and at most 6 in an hour, so that guessing stays at 30 tries an hour per email, whatever the addresses. */
export const CODES_PER_WINDOW = 6;
export const CODE_WINDOW_MS = 60 * 60_000;

export type Budget = { ok: true } | { ok: false; retryAfterMs: number };

/** May the email be sent one more code now, given when its earlier codes were sent? */
export function codeBudget(sentAt: readonly number[], now: number): Budget {
  const recent = sentAt.filter((t) => t > now - CODE_WINDOW_MS);
  if (recent.length === 0) return { ok: true };
  const last = Math.max(...recent);
  if (now - last < RESEND_AFTER_MS) return { ok: false, retryAfterMs: last + RESEND_AFTER_MS - now };
  if (recent.length >= CODES_PER_WINDOW) {
    // The window slides: the oldest code in it has to leave it first.
    const oldest = [...recent].sort((a, b) => a - b)[recent.length - CODES_PER_WINDOW] ?? last;
    return { ok: false, retryAfterMs: oldest + CODE_WINDOW_MS - now };
  }
  return { ok: true };
}

/** A challenge the object knows: still open (a used or dead one is forgotten at once). */
export interface OpenCode {
  nonce: string;
  expiresAt: number;
  wrongTries: number;
}

export type CodeAnswer = { outcome: "VERIFIED" } | { outcome: "WRONG"; triesLeft: number } | { outcome: "EXPIRED" };

/**
 * What a typed code does. `correct` was decided by the Worker (a constant-time comparison against
 * the challenge's digest); `next` is the challenge afterwards, `null` when it is over.
 */
export function tryCode(
  open: OpenCode | undefined,
  correct: boolean,
  now: number,
): { answer: CodeAnswer; next: OpenCode | null | undefined } {
  if (!open || now >= open.expiresAt) return { answer: { outcome: "EXPIRED" }, next: open ? null : undefined };
  if (correct) return { answer: { outcome: "VERIFIED" }, next: null };
  const wrongTries = open.wrongTries + 1;
  const triesLeft = MAX_WRONG_TRIES - wrongTries;
  return { answer: { outcome: "WRONG", triesLeft }, next: triesLeft > 0 ? { ...open, wrongTries } : null };
}
