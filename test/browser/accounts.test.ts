/**
 * Accounts in a real browser (Debian's Chromium) against `wrangler dev`: a new fan signs in with the
 * code from the dev outbox, creates a passkey on Chromium's virtual authenticator, signs out, signs
 * back in with the passkey and buys; My tickets and My account. Every new screen is checked with
 * axe-core (no serious or critical violation) and photographed in Portuguese and English.
 *
 * The page is opened on http://localhost: WebAuthn needs a domain for its relying party (an IP
 * address is refused), and localhost is one, and a secure context.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserSuite, createShow, emailFor, expectAccessible, mailedCode, shoot, shootPrint } from "./support.ts";

const suite = browserSuite({ hostname: "localhost" });
const fan = suite.fan;

/** Chromium's virtual authenticator: a platform passkey provider with user verification (CDP WebAuthn). */
async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
  };
}

const oneTicket = (band: string) =>
  createShow(suite.api, {
    band,
    festival: "Festival Conta Própria",
    sectors: [{ name: "Pista", capacity: 2, priceCents: 15000, meiaShare: 0 }],
  });

describe("accounts in the browser", () => {
  it("a new fan signs in with the mailed code, creates a passkey, signs out, signs back in with it and buys", async () => {
    const show = await oneTicket("Os Donos do E-mail");
    const { page, context, problems } = await fan();
    const authenticator = await virtualAuthenticator(page);
    const email = emailFor("Marina Lima");

    await page.goto(`/shows/${show.id}`);
    await page.getByLabel("Nome").fill("Marina Lima");
    await page.getByLabel("E-mail").fill(email);
    await page.getByRole("button", { name: "Receber código por e-mail" }).click();

    await page.getByRole("heading", { name: "Confira o seu e-mail" }).waitFor();
    expect(await page.getByRole("status").first().textContent()).toContain(email);
    const field = page.getByLabel("Código de 6 dígitos");
    expect(await field.getAttribute("autocomplete")).toBe("one-time-code");
    // The resend button waits 30 s, and says so.
    await expect.poll(() => page.getByRole("button", { name: "Enviar outro código" }).isDisabled()).toBe(true);
    await expect
      .poll(() => page.locator("[data-resend-wait]").textContent())
      .toMatch(/Você pode pedir outro código em \d+ s\./);
    await expectAccessible(page, "code step");
    await shoot(page, "13-sign-in-code");

    // A wrong code is said in words.
    const code = await mailedCode(page, email);
    await field.fill(code === "000000" ? "111111" : "000000");
    await page.getByRole("button", { name: "Entrar", exact: true }).click();
    await page.getByText("Código incorreto. Restam 4 tentativas.").waitFor();
    // The refused code's page comes with its 400, which Chromium reports; nothing else went wrong.
    expect(problems.splice(0)).toEqual([
      "console: Failed to load resource: the server responded with a status of 400 (Bad Request)",
    ]);
    await expectAccessible(page, "wrong code");
    await shoot(page, "14-sign-in-wrong-code");

    // Pasted as the mail shows it, spaces and all: the field keeps the digits.
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.evaluate((text) => navigator.clipboard.writeText(text), `${code.slice(0, 3)} ${code.slice(3)}`);
    await page.getByLabel("Código de 6 dígitos").fill("");
    await page.getByLabel("Código de 6 dígitos").focus();
    await page.keyboard.press("Control+V");
    expect(await page.getByLabel("Código de 6 dígitos").inputValue()).toBe(code);
    await page.getByRole("button", { name: "Entrar", exact: true }).click();

    await page.waitForURL("**/entrar/chave?voltar=*");
    await page.getByRole("heading", { name: "Entrar com uma chave de acesso da próxima vez?" }).waitFor();
    await expectAccessible(page, "passkey offer");
    await shoot(page, "15-passkey-offer");
    await page.getByRole("button", { name: "Criar chave de acesso" }).click();
    await page.getByText("Pronto! Da próxima vez, toque em “Entrar com chave de acesso”.").waitFor();
    expect(await authenticator.credentials()).toHaveLength(1);
    await expectAccessible(page, "passkey created");
    await shoot(page, "16-passkey-created");
    await page.getByRole("link", { name: "Continuar" }).click();
    await page.waitForURL(`**/shows/${show.id}`);
    await page.getByRole("heading", { name: "Escolha seu ingresso" }).waitFor();

    // Signed out, then back in with one tap: no mail this time.
    await page.getByRole("button", { name: "Sair" }).click();
    await page.waitForURL(`${suite.base}/`);
    await page.goto(`/entrar?voltar=${encodeURIComponent(`/shows/${show.id}`)}`);
    const mails = (await (await page.request.get(`/dev/outbox?email=${encodeURIComponent(email)}`)).json()).messages;
    await expectAccessible(page, "sign-in with the passkey button");
    await shoot(page, "17-sign-in-passkey");
    await page.getByRole("button", { name: "Entrar com chave de acesso" }).click();
    await page.waitForURL(`**/shows/${show.id}`);
    await page.getByRole("heading", { name: "Escolha seu ingresso" }).waitFor();
    const after = (await (await page.request.get(`/dev/outbox?email=${encodeURIComponent(email)}`)).json()).messages;
    expect(after).toHaveLength(mails.length);

    // And buys.
    await page.getByRole("button", { name: "Entrar na fila" }).click();
    await page.getByRole("heading", { name: "É a sua vez!" }).waitFor();
    await page.getByRole("button", { name: "Pagar R$ 150,00" }).click();
    await page.waitForURL("**/checkout/pay_*");
    await page.getByRole("button", { name: "Pagar R$ 150,00" }).click();
    await page.getByRole("heading", { name: "Ingresso garantido!" }).waitFor();

    await page.getByRole("link", { name: "Meus ingressos" }).click();
    await page.getByRole("heading", { name: "Meus ingressos", level: 1 }).waitFor();
    await page.getByRole("img", { name: "QR code do ingresso Pista" }).waitFor();
    expect(await page.locator(".ticket").textContent()).toContain("Marina Lima");
    expect(await page.locator(".ticket").textContent()).toContain("Os Donos do E-mail");
    await expectAccessible(page, "my tickets");
    await shoot(page, "18-my-tickets");
    await shootPrint(page, "18-my-tickets");

    await page.getByRole("link", { name: "Minha conta" }).click();
    await page.getByRole("heading", { name: "Minha conta", level: 1 }).waitFor();
    expect(await page.locator(".passkey").count()).toBe(1);
    expect(await page.getByText(email).isVisible()).toBe(true);
    await expectAccessible(page, "my account");
    await shoot(page, "19-account");
  });

  it("in English: the code step, the passkey offer, My tickets and My account", async () => {
    const { page } = await fan({ locale: "en-US" });
    await virtualAuthenticator(page);
    const email = emailFor("Grace Hopper");
    await page.goto("/entrar");
    await expectAccessible(page, "sign-in, English");
    await page.getByLabel("Name").fill("Grace Hopper");
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Email me a code" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    await expect
      .poll(() => page.locator("[data-resend-wait]").textContent())
      .toMatch(/You can ask for another code in \d+ s\./);
    await shoot(page, "20-sign-in-code-english");
    await page.getByLabel("6-digit code").fill(await mailedCode(page, email));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Sign in with a passkey next time?" }).waitFor();
    await expectAccessible(page, "passkey offer, English");
    await shoot(page, "21-passkey-offer-english");
    await page.getByRole("link", { name: "Not now" }).click();
    await page.goto("/meus-ingressos");
    await page.getByText("You have no tickets yet.").waitFor();
    await expectAccessible(page, "my tickets, English");
    await shoot(page, "22-my-tickets-english");
    await page.goto("/conta");
    await page.getByRole("heading", { name: "My account", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.locator(".passkey").waitFor();
    await expectAccessible(page, "my account, English");
    await shoot(page, "23-account-english");

    // Sign out everywhere ends this session too.
    await page.getByRole("button", { name: "Sign out of every device" }).click();
    await page.waitForURL(`${suite.base}/`);
    await page.goto("/conta");
    await page.waitForURL("**/entrar?voltar=%2Fconta");
  });
});
