/**
 * The accounts' pages made nicer where the bundle runs (the forms work without it): the passkey
 * button beside the email form, the code field that keeps digits (a pasted "123 456" included),
 * the resend button's 30 s wait, the passkey offer, My account's "add a passkey", and the QR codes
 * and print button of My tickets.
 */
import type { Messages } from "../page/i18n";
import { busy, createPasskey, passkeyErrorText, passkeysSupported, signInWithPasskey } from "./passkeys";

function show(el: HTMLElement | null, text?: string): void {
  if (!el) return;
  if (text !== undefined) el.textContent = text;
  el.hidden = false;
}

/** The email step, on /entrar or in a show's sale panel. */
export function enhanceSignIn(root: ParentNode, t: Messages): void {
  for (const form of root.querySelectorAll<HTMLFormElement>("form[data-sign-in], form[data-code-form]")) {
    form.addEventListener("submit", () => {
      const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
      // After the browser took the submission: the page is about to change.
      setTimeout(() => {
        if (button?.dataset.busy) {
          button.textContent = button.dataset.busy;
          button.setAttribute("aria-busy", "true");
          button.disabled = true;
        }
      });
    });
  }
  if (!passkeysSupported()) return;
  for (const block of root.querySelectorAll<HTMLElement>("[data-passkey-sign-in]")) {
    const button = block.querySelector<HTMLButtonElement>("button");
    const error = block.querySelector<HTMLElement>(".form__error");
    if (!button) continue;
    button.dataset.busy = t.passkeyWaiting;
    block.hidden = false;
    button.addEventListener("click", () =>
      busy(button, async () => {
        if (error) error.hidden = true;
        try {
          await signInWithPasskey();
          location.assign(block.dataset.next ?? "/");
          await new Promise(() => {});
        } catch (err) {
          show(error, passkeyErrorText(t, err, t.passkeyFailed));
        }
      }),
    );
  }
}

/** The code step: digits only, and "send another code" once the last one is 30 s old. */
export function enhanceCodeStep(root: ParentNode, t: Messages): void {
  const input = root.querySelector<HTMLInputElement>("input[name=code]");
  input?.addEventListener("input", () => {
    const digits = input.value.replace(/\D/g, "").slice(0, 6);
    if (digits !== input.value) input.value = digits;
  });
  const resend = root.querySelector<HTMLFormElement>("form[data-resend]");
  const button = resend?.querySelector<HTMLButtonElement>("button[type=submit]");
  const wait = resend?.querySelector<HTMLElement>("[data-resend-wait]");
  const at = Date.parse(resend?.dataset.resendAt ?? "");
  if (!resend || !button || !wait || Number.isNaN(at)) return;
  const tick = () => {
    const left = Math.ceil((at - Date.now()) / 1000);
    if (left <= 0) {
      button.disabled = false;
      wait.textContent = "";
      return;
    }
    button.disabled = true;
    wait.textContent = t.resendIn(left);
    setTimeout(tick, 1000);
  };
  tick();
}

/** After a verified sign-in: create a passkey, or go on. Without WebAuthn there is nothing to offer. */
export function enhancePasskeyOffer(root: ParentNode, t: Messages): void {
  const offer = root.querySelector<HTMLElement>("[data-passkey-offer]");
  if (!offer) return;
  const next = offer.dataset.next ?? "/";
  if (!passkeysSupported()) {
    location.replace(next);
    return;
  }
  const create = offer.querySelector<HTMLButtonElement>("[data-passkey-create]");
  const status = offer.querySelector<HTMLElement>("[data-passkey-status]");
  const skip = offer.querySelector<HTMLAnchorElement>("[data-passkey-skip]");
  if (!create || !status || !skip) return;
  create.hidden = false;
  create.addEventListener("click", () =>
    busy(create, async () => {
      try {
        await createPasskey();
        status.className = "notice notice--ok";
        show(status, t.passkeyCreated);
        create.hidden = true;
        skip.textContent = skip.dataset.done ?? t.continue;
        skip.className = "btn btn--primary";
        skip.focus();
      } catch (err) {
        status.className = "notice notice--warn";
        show(status, passkeyErrorText(t, err, t.passkeyCreateFailed));
      }
    }),
  );
}

/** My account: add a passkey (the list is the server's: the page reloads to show it). */
export function enhanceAccount(root: ParentNode, t: Messages): void {
  const add = root.querySelector<HTMLButtonElement>("[data-passkey-add]");
  const status = root.querySelector<HTMLElement>("[data-passkey-status]");
  if (!add || !status) return;
  if (!passkeysSupported()) {
    show(status, t.passkeyUnsupported);
    return;
  }
  add.hidden = false;
  add.addEventListener("click", () =>
    busy(add, async () => {
      status.hidden = true;
      try {
        await createPasskey();
        location.reload();
        await new Promise(() => {});
      } catch (err) {
        show(status, passkeyErrorText(t, err, t.passkeyCreateFailed));
      }
    }),
  );
}

/** My tickets: each QR drawn from its signed code, and the print button. */
export async function enhanceMyTickets(root: ParentNode): Promise<void> {
  const print = root.querySelector<HTMLButtonElement>("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", () => window.print());
  }
  const stubs = [...root.querySelectorAll<HTMLElement>("[data-qr-code]")];
  if (stubs.length === 0) return;
  const { qrSvg } = await import("./qr");
  for (const stub of stubs) stub.replaceWith(qrSvg(stub.dataset.qrCode ?? "", stub.dataset.qrLabel ?? ""));
}
