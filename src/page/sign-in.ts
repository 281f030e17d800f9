/** The sign-in form (name and email): on `/entrar` and inside a show's sale panel when signed out. */
import { html } from "hono/html";
import type { Html, PageContext } from "./layout";

/**
 * A plain form that posts to `/entrar`: it works without the client bundle, and the session
 * cookie it sets is the same one `POST /api/sessions` sets.
 */
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
    <button class="btn btn--primary btn--block" type="submit">${t.continue}</button>
  </form>`;
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
