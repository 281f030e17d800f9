/** The fans' page bundle: each server-rendered page says which it is (`<body data-page>`). */
import { DEFAULT_LANG, isLang, messages } from "../page/i18n";
import { enhanceAccount, enhanceCodeStep, enhanceMyTickets, enhancePasskeyOffer, enhanceSignIn } from "./accounts";
import { AvailabilityWatch } from "./availability";
import { mountCheckout } from "./checkout";
import { mountSale } from "./sale/panel";

function start(): void {
  const htmlLang = document.documentElement.lang;
  const lang = isLang(htmlLang) ? htmlLang : DEFAULT_LANG;
  const t = messages(lang);
  const { page, signedIn } = document.body.dataset;

  if (page === "home") new AvailabilityWatch(t).start();
  // The email step is on /entrar and in a show's sale panel when signed out.
  enhanceSignIn(document, t);
  if (page === "sign-in-code") enhanceCodeStep(document, t);
  if (page === "passkey-offer") enhancePasskeyOffer(document, t);
  if (page === "account") enhanceAccount(document, t);
  if (page === "my-tickets") void enhanceMyTickets(document);

  if (page === "show") {
    const sale = document.querySelector<HTMLElement>("#sale");
    const showId = sale?.dataset.showId;
    if (!sale || !showId) return;
    const availability = new AvailabilityWatch(t, showId);
    availability.start();
    if (signedIn === "1") void mountSale(sale, { showId, t, lang, availability });
  }

  if (page === "checkout") {
    const main = document.querySelector<HTMLElement>("#main");
    if (main) mountCheckout(main, t);
  }
}

start();
