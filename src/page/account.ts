/** `/conta`: the fan's name and email, passkeys (add, list, remove) and "sign out everywhere". */
import { html } from "hono/html";
import { formatShortDate } from "./format";
import type { Html, PageContext } from "./layout";

export interface PasskeyRow {
  id: string;
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
}

function passkeyItem(ctx: PageContext, p: PasskeyRow) {
  const { t } = ctx;
  const when = [
    t.passkeyCreatedOn(formatShortDate(new Date(p.createdAt).toISOString(), ctx.lang)),
    p.lastUsedAt === null ? null : t.passkeyLastUsed(formatShortDate(new Date(p.lastUsedAt).toISOString(), ctx.lang)),
  ].filter((s) => s !== null);
  return html`<li class="passkey" data-passkey-id="${p.id}">
    <div class="passkey__text">
      <span class="passkey__label">${p.label}</span>
      <span class="muted small">${when.join(" · ")}</span>
    </div>
    <form method="post" action="/conta/chaves/remover">
      <input type="hidden" name="id" value="${p.id}" />
      <button class="btn btn--small btn--ghost" type="submit" aria-label="${t.passkeyRemoveLabel(p.label)}">
        ${t.passkeyRemove}
      </button>
    </form>
  </li>`;
}

export function accountPage(
  ctx: PageContext,
  profile: { name: string; email: string },
  passkeys: PasskeyRow[],
  sessionDays: number,
  notice?: string,
): Html {
  const { t } = ctx;
  return html`<div class="narrow account">
    <h1 class="hero__title">${t.accountTitle}</h1>
    <section class="panel">
      <dl class="summary">
        <div><dt>${t.name}</dt><dd>${profile.name}</dd></div>
        <div><dt>${t.email}</dt><dd>${profile.email}</dd></div>
      </dl>
    </section>
    <section class="panel" aria-labelledby="passkeys-title">
      <h2 class="panel__title" id="passkeys-title">${t.passkeysTitle}</h2>
      <p class="muted">${t.passkeysLead}</p>
      ${notice ? html`<p class="notice notice--ok" role="status">${notice}</p>` : ""}
      ${
        passkeys.length > 0
          ? html`<ul class="passkeys">${passkeys.map((p) => passkeyItem(ctx, p))}</ul>`
          : html`<p>${t.passkeysNone}</p>`
      }
      <p class="form__error" role="alert" data-passkey-status hidden></p>
      <button class="btn btn--primary" type="button" data-passkey-add data-busy="${t.passkeyCreating}" hidden>
        ${t.passkeyAdd}
      </button>
    </section>
    <section class="panel" aria-labelledby="sessions-title">
      <h2 class="panel__title" id="sessions-title">${t.sessionsTitle}</h2>
      <p class="muted">${t.sessionsLead(sessionDays)}</p>
      <form method="post" action="/conta/sair-de-todos">
        <button class="btn btn--danger" type="submit">${t.signOutEverywhere}</button>
      </form>
    </section>
  </div>`;
}
