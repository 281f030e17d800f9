/** The sign-in code's mail, in the fan's language: plain text and HTML. */
import { html } from "hono/html";
import type { Lang } from "../page/i18n";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

const WORDS = {
  "pt-BR": {
    subject: (code: string) => `${code} é o seu código de acesso ao catraca`,
    hello: (name: string) => `Olá, ${name}!`,
    lead: "Use este código para entrar no catraca:",
    valid: (minutes: number) => `Ele vale por ${minutes} minutos e só pode ser usado uma vez.`,
    ignore: "Se não foi você que pediu, ignore este e-mail: ninguém entra na sua conta sem este código.",
    never: "O catraca nunca pede este código por telefone, mensagem ou em outro site.",
  },
  en: {
    subject: (code: string) => `${code} is your catraca sign-in code`,
    hello: (name: string) => `Hi ${name},`,
    lead: "Use this code to sign in to catraca:",
    valid: (minutes: number) => `It works for ${minutes} minutes, once.`,
    ignore: "If you did not ask for it, ignore this email: nobody gets into your account without this code.",
    never: "catraca never asks for this code by phone, message or on another site.",
  },
} satisfies Record<Lang, unknown>;

export function codeMail(lang: Lang, to: string, name: string, code: string, minutes: number): Mail {
  const w = WORDS[lang];
  const text = [w.hello(name), "", w.lead, "", `    ${code}`, "", w.valid(minutes), "", w.ignore, w.never, ""].join(
    "\n",
  );
  // Mail clients drop <style> and external CSS: the few styles are inline.
  const body = html`<!doctype html>
<html lang="${lang}">
  <body style="margin:0;padding:24px;background:#f4f2fb;font-family:Helvetica,Arial,sans-serif;color:#1b1440">
    <div style="max-width:480px;margin:0 auto;background:#ffffff;border-radius:12px;padding:24px">
      <p style="margin:0 0 12px;font-size:16px">${w.hello(name)}</p>
      <p style="margin:0 0 12px;font-size:16px">${w.lead}</p>
      <p style="margin:0 0 16px;font-size:32px;font-weight:bold;letter-spacing:6px;font-family:Menlo,Consolas,monospace">${code}</p>
      <p style="margin:0 0 12px;font-size:14px">${w.valid(minutes)}</p>
      <p style="margin:0 0 4px;font-size:13px;color:#4a4470">${w.ignore}</p>
      <p style="margin:0;font-size:13px;color:#4a4470">${w.never}</p>
    </div>
  </body>
</html>`;
  return { to, subject: w.subject(code), text, html: String(body) };
}
