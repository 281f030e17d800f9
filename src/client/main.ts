/** The fans' page bundle: each server-rendered page says which it is (`<body data-page>`). */
import { DEFAULT_LANG, isLang, type Lang, type Messages, messages } from "../page/i18n";
import { enhanceAccount, enhanceCodeStep, enhanceMyTickets, enhancePasskeyOffer, enhanceSignIn } from "./accounts";
import { AvailabilityWatch } from "./availability";
import { mountCheckout } from "./checkout";
import { h, replace } from "./dom";
import { mountSale } from "./sale/panel";
import { errorText } from "./sale/ui";
import { fillSession, type Me, whoAmI } from "./session";

/**
 * A show's sale panel, once the session is known: the sale for a signed-in fan; otherwise the
 * sign-in form the page keeps in a template (none on an archived show: nothing left to buy).
 */
async function mountPanel(sale: HTMLElement, showId: string, me: Promise<Me | null>, t: Messages, lang: Lang) {
  const body = sale.querySelector<HTMLElement>("[data-sale-body]");
  const availability = new AvailabilityWatch(t, showId);
  availability.start();
  let fan: Me | null;
  try {
    fan = await me;
  } catch (err) {
    if (body) replace(body, h("p", { class: "notice notice--warn", role: "alert" }, errorText(t, err)));
    return;
  }
  if (fan) return mountSale(sale, { showId, t, lang, availability });
  if (!body) return;
  const form = sale.querySelector<HTMLTemplateElement>("template[data-sign-in-panel]");
  if (sale.hasAttribute("data-archived") || !form) {
    body.remove();
    return;
  }
  replace(body, form.content.cloneNode(true));
  enhanceSignIn(body, t);
}

function start(): void {
  const htmlLang = document.documentElement.lang;
  const lang = isLang(htmlLang) ? htmlLang : DEFAULT_LANG;
  const t = messages(lang);
  const { page } = document.body.dataset;

  // The pages every fan gets alike carry no fan: the session is asked for, once.
  const slot = document.querySelector<HTMLElement>("[data-session]");
  const me = slot ? whoAmI() : Promise.resolve(null);
  if (slot) me.then((fan) => fillSession(slot, t, fan)).catch(() => fillSession(slot, t, null));

  if (page === "home") new AvailabilityWatch(t).start();
  // The email step is on /entrar (and, once the session is known, in a show's sale panel).
  enhanceSignIn(document, t);
  if (page === "sign-in-code") enhanceCodeStep(document, t);
  if (page === "passkey-offer") enhancePasskeyOffer(document, t);
  if (page === "account") enhanceAccount(document, t);
  if (page === "my-tickets") void enhanceMyTickets(document);

  if (page === "show") {
    const sale = document.querySelector<HTMLElement>("#sale");
    const showId = sale?.dataset.showId;
    if (sale && showId) void mountPanel(sale, showId, me, t, lang);
  }

  if (page === "checkout") {
    const main = document.querySelector<HTMLElement>("#main");
    if (main) mountCheckout(main, t);
  }
}

start();
