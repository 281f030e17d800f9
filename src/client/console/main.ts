/** The organizers' console bundle: the shows page's forms, and a show's live dashboard. */
import { DEFAULT_LANG, isLang } from "../../page/i18n";
import { organizerMessages } from "../../page/i18n-organizers";
import { Dashboard } from "./dashboard";
import { mountBandForm, mountShowForm } from "./forms";

function start(): void {
  const htmlLang = document.documentElement.lang;
  const lang = isLang(htmlLang) ? htmlLang : DEFAULT_LANG;
  const t = organizerMessages(lang);
  const { page } = document.body.dataset;
  if (page === "console") {
    const band = document.querySelector<HTMLFormElement>("[data-band-form]");
    const show = document.querySelector<HTMLFormElement>("[data-show-form]");
    if (band) mountBandForm(band, t);
    if (show) mountShowForm(show, t);
  }
  if (page === "dashboard") {
    const root = document.querySelector<HTMLElement>("[data-dashboard]");
    const showId = root?.dataset.showId;
    if (root && showId) new Dashboard(root, showId, t, lang).start();
  }
}

start();
