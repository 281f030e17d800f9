/**
 * `/portaria`: the gate phone's page. The door bundle (`src/client/door/`) does the work: it trades
 * the link's token for the door cookie, downloads the show's tickets, scans with the camera, and
 * keeps admitting with no network. A service worker keeps the page itself available offline.
 */
import { html } from "hono/html";
import type { Html, OrganizerPageContext } from "./layout";

export function doorPage(ctx: OrganizerPageContext): Html {
  const { t } = ctx;
  return html`<div class="door" data-door>
    <header class="door__head">
      <h1 class="door__title" data-door-title>${t.doorTitle}</h1>
      <p class="door__meta" data-door-meta></p>
      <p class="door__status" data-door-status role="status"></p>
    </header>
    <p class="notice notice--info" data-door-message>${t.loading}</p>
    <noscript><p class="notice notice--warn">${t.noscript}</p></noscript>
    <div class="door__work" data-door-work hidden>
      <div class="door__answer" data-door-answer role="alert" aria-live="assertive" hidden></div>
      <section class="panel door__camera" aria-labelledby="camera-title">
        <h2 class="panel__title" id="camera-title">${t.doorCameraLabel}</h2>
        <div class="door__viewport" data-door-viewport hidden>
          <video class="door__video" data-door-video muted playsinline aria-hidden="true"></video>
        </div>
        <p class="hint" data-door-camera-note hidden></p>
        <button class="btn btn--primary btn--block" type="button" data-door-camera>${t.doorCameraStart}</button>
      </section>
      <form class="panel form door__typed" data-door-typed>
        <label class="field">
          <span class="field__label">${t.doorTypeCode}</span>
          <input class="field__input" name="code" autocomplete="off" autocapitalize="off" spellcheck="false" required
            maxlength="500" />
        </label>
        <p class="hint">${t.doorTypeHint}</p>
        <button class="btn btn--ghost btn--block" type="submit">${t.doorCheck}</button>
      </form>
    </div>
  </div>`;
}
