/**
 * Signing in: the email step (on `/entrar` and inside a show's sale panel when signed out), the
 * code step, and the passkey offer after a verified sign-in. Plain forms that work without the
 * client bundle; the bundle adds the passkey buttons (where the browser has WebAuthn), the resend
 * countdown and a code field that keeps digits only.
 */
import { html } from "hono/html";
import type { Html, PageContext } from "./layout";

export interface CodeStep {
  challenge: string;
  email: string;
  next: string;
  /** When the page may ask for another code (the per-email limit's 30 s). */
  resendAt: number;
  resent?: boolean;
  error?: string;
  /** A code the fan typed that got refused, to show again. */
  code?: string;
}

/** The passkey alternative of the email step: shown by the client bundle where WebAuthn exists. */
function passkeySignIn(ctx: PageContext, next: string) {
  const { t } = ctx;
  return html`<div class="passkey-alt" data-passkey-sign-in data-next="${next}" hidden>
    <p class="passkey-alt__or"><span>${t.or}</span></p>
    <button class="btn btn--ghost btn--block" type="button">${t.passkeySignIn}</button>
    <p class="form__error" role="alert" hidden></p>
  </div>`;
}

export function signInForm(ctx: PageContext, next: string, error?: string, values?: { name?: string; email?: string }) {
  const { t } = ctx;
  return html`<form class="form" method="post" action="/entrar" data-sign-in>
      <p class="form__lead">${t.signInLead}</p>
      <input type="hidden" name="voltar" value="${next}" />
      <label class="field">
        <span class="field__label">${t.name}</span>
        <input class="field__input" name="name" autocomplete="name" required maxlength="100" value="${values?.name ?? ""}" />
      </label>
      <label class="field">
        <span class="field__label">${t.email}</span>
        <input class="field__input" name="email" type="email" inputmode="email" autocomplete="email" required maxlength="254"
          value="${values?.email ?? ""}" />
      </label>
      ${error ? html`<p class="form__error" role="alert">${error}</p>` : ""}
      <button class="btn btn--primary btn--block" type="submit" data-busy="${t.sendingCode}">${t.sendCode}</button>
    </form>
    ${passkeySignIn(ctx, next)}`;
}

export function signInPage(
  ctx: PageContext,
  next: string,
  error?: string,
  values?: { name?: string; email?: string },
): Html {
  const { t } = ctx;
  return html`<div class="narrow">
    <section class="panel">
      <h1 class="panel__title panel__title--big">${t.signInPageTitle}</h1>
      ${signInForm(ctx, next, error, values)}
    </section>
  </div>`;
}

export function codePage(ctx: PageContext, step: CodeStep, minutes: number): Html {
  const { t } = ctx;
  const hidden = html`<input type="hidden" name="challenge" value="${step.challenge}" />
    <input type="hidden" name="voltar" value="${step.next}" />`;
  return html`<div class="narrow">
    <section class="panel">
      <h1 class="panel__title panel__title--big">${t.codeTitle}</h1>
      <p class="form__lead" role="status">${step.resent ? t.codeResent(step.email) : t.codeSent(step.email)}</p>
      <form class="form" method="post" action="/entrar/codigo" data-code-form>
        ${hidden}
        <label class="field">
          <span class="field__label">${t.codeLabel}</span>
          <input class="field__input field__input--code" name="code" inputmode="numeric" autocomplete="one-time-code"
            required maxlength="20" aria-describedby="code-hint" value="${step.code ?? ""}"
            ${step.error ? html`aria-invalid="true"` : ""} autofocus />
        </label>
        <p class="hint" id="code-hint">${t.codeHint(minutes)}</p>
        ${step.error ? html`<p class="form__error" role="alert">${step.error}</p>` : ""}
        <button class="btn btn--primary btn--block" type="submit" data-busy="${t.verifyingCode}">${t.verifyCode}</button>
      </form>
      <form class="form resend" method="post" action="/entrar/reenviar" data-resend
        data-resend-at="${new Date(step.resendAt).toISOString()}">
        ${hidden}
        <p class="hint">${t.notReceived}</p>
        <p class="hint" data-resend-wait></p>
        <button class="btn btn--ghost btn--block" type="submit">${t.resendCode}</button>
      </form>
      <p class="resend__other"><a href="/entrar?voltar=${encodeURIComponent(step.next)}">${t.useAnotherEmail}</a></p>
    </section>
  </div>`;
}

/** After a verified sign-in, for a fan without a passkey: one tap on sale day, no email round trip. */
export function passkeyOfferPage(ctx: PageContext, next: string): Html {
  const { t } = ctx;
  return html`<div class="narrow">
    <section class="panel" data-passkey-offer data-next="${next}">
      <h1 class="panel__title panel__title--big" tabindex="-1">${t.passkeyOfferTitle}</h1>
      <p>${t.passkeyOfferLead}</p>
      <p class="notice notice--ok" role="status" data-passkey-status hidden></p>
      <div class="actions">
        <button class="btn btn--primary" type="button" data-passkey-create data-busy="${t.passkeyCreating}" hidden>
          ${t.passkeyCreate}
        </button>
        <a class="btn btn--ghost" href="${next}" data-passkey-skip data-done="${t.continue}">${t.notNow}</a>
      </div>
    </section>
  </div>`;
}
