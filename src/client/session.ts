/**
 * Who is signed in, on the pages every fan gets alike (the home page, a show's page: served from
 * the shared cache, so they carry no fan): `GET /api/me` answers from the session's token, and
 * the header's session part is filled here.
 */
import type { Messages } from "../page/i18n";
import { api } from "./api";
import { h, replace } from "./dom";

export interface Me {
  id: string;
  name: string;
}

/** The signed-in fan, or null. */
export async function whoAmI(): Promise<Me | null> {
  return (await api<{ user: Me | null }>("GET", "/api/me")).user;
}

/** The header's session part: the fan's greeting, My tickets, My account and sign out; or the sign-in link. */
export function fillSession(slot: HTMLElement, t: Messages, me: Me | null): void {
  if (!me) {
    const here = location.pathname + location.search;
    replace(
      slot,
      h("a", { class: "btn btn--small btn--light", href: `/entrar?voltar=${encodeURIComponent(here)}` }, t.signIn),
    );
    return;
  }
  replace(
    slot,
    h("span", { class: "topnav__hello" }, t.hello(me.name)),
    h("a", { class: "topnav__link", href: "/meus-ingressos" }, t.navMyTickets),
    h("a", { class: "topnav__link", href: "/conta" }, t.navAccount),
    h(
      "form",
      { class: "topnav__form", method: "post", action: "/sair" },
      h("button", { class: "linkbtn", type: "submit" }, t.signOut),
    ),
  );
}
