/**
 * Passkeys on the page: signing in with one (the email step), creating one (the offer after a
 * verified sign-in, and My account). @simplewebauthn/browser is loaded only when the fan taps.
 */
import type { Messages } from "../page/i18n";
import { ApiFailure, api } from "./api";

/** WebAuthn is there (the browser may still have no passkey for this site: the fan finds out on tap). */
export function passkeysSupported(): boolean {
  return typeof window.PublicKeyCredential === "function" && window.isSecureContext;
}

const webauthn = () => import("@simplewebauthn/browser");

export async function signInWithPasskey(): Promise<void> {
  const { options, state } = await api<{ options: unknown; state: string }>("POST", "/api/sessions/passkey/options");
  const { startAuthentication } = await webauthn();
  const response = await startAuthentication({ optionsJSON: options as never });
  await api("POST", "/api/sessions/passkey", { state, response });
}

export async function createPasskey(): Promise<void> {
  const { options, state } = await api<{ options: unknown; state: string }>(
    "POST",
    "/api/passkeys/registration/options",
  );
  const { startRegistration } = await webauthn();
  const response = await startRegistration({ optionsJSON: options as never });
  await api("POST", "/api/passkeys/registration", { state, response });
}

/** What to tell the fan when a passkey ceremony did not work. */
export function passkeyErrorText(t: Messages, err: unknown, fallback: string): string {
  if (err instanceof ApiFailure) {
    if (err.code === "PASSKEY_REJECTED") return t.passkeyUnknown;
    if (err.code === "NETWORK") return t.errorNetwork;
    if (err.code === "RATE_LIMITED") return t.errorRateLimited;
  }
  return fallback;
}

/** While `action` runs the button is disabled and says `data-busy`. */
export async function busy(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
  if (button.disabled) return;
  const label = button.textContent ?? "";
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (button.dataset.busy) button.textContent = button.dataset.busy;
  try {
    await action();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = label;
  }
}
