/**
 * The email seam (src/email/): the dev outbox exists only under EMAIL_PROVIDER=log; Resend gets the
 * mail over fetch with the key, the sender, both bodies and an idempotency key; a refused mail is
 * 502 EMAIL_NOT_SENT; the mail is in the fan's language, text and HTML.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { startSignIn } from "../../../src/accounts/sign-in";
import { codeMail } from "../../../src/email/code-mail";
import { RESEND_ENDPOINT, sendMail } from "../../../src/email/send";
import { ApiError } from "../../../src/errors";
import { app } from "../../../src/index";
import { askCode, call, outbox } from "../helpers";

const resendEnv = { ...env, EMAIL_PROVIDER: "resend", RESEND_API_KEY: "re_test_key" } as unknown as Env;

function fakeResend(answer: () => Response) {
  const sent: { url: string; init: RequestInit }[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return answer();
  };
  return { sent, fetch };
}

describe("the dev outbox", () => {
  it("lists an address's mails under EMAIL_PROVIDER=log, newest last, whatever the spelling of the address", async () => {
    const email = `outbox.${crypto.randomUUID()}@example.com`;
    await askCode("Lia", email);
    const none = await call("GET", `/dev/outbox?email=${encodeURIComponent(`other.${email}`)}`);
    expect(none.json).toEqual({ messages: [] });
    const res = await call("GET", `/dev/outbox?email=${encodeURIComponent(` ${email.toUpperCase()} `)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.json.messages).toEqual([
      {
        to: email,
        subject: expect.any(String),
        text: expect.any(String),
        html: expect.any(String),
        sentAt: expect.any(String),
      },
    ]);
    expect((await call("GET", "/dev/outbox")).json.error).toEqual({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^email/),
    });
  });

  it("is a plain 404 under any other provider, like a path that does not exist", async () => {
    for (const provider of ["resend", "anything"]) {
      const other = { ...env, EMAIL_PROVIDER: provider } as unknown as Env;
      const res = await app.request("/dev/outbox?email=ana@example.com", {}, other);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: "NOT_FOUND", message: "no route for GET /dev/outbox" } });
      const page = await app.request("/dev/outbox?email=ana@example.com", { headers: { accept: "text/html" } }, other);
      expect(page.status).toBe(404);
      expect(await page.text()).toContain("Página não encontrada");
    }
  });
});

describe("Resend, the real provider", () => {
  it("gets the mail over fetch: key, sender, recipient, subject, text and HTML, and the challenge as idempotency key", async () => {
    const resend = fakeResend(() => Response.json({ id: "email_1" }));
    const email = `resend.${crypto.randomUUID()}@example.com`;
    const started = await startSignIn(resendEnv, { name: "Nina", email, lang: "pt-BR" }, { fetch: resend.fetch });
    expect(started.ok).toBe(true);
    expect(resend.sent).toHaveLength(1);
    const [{ url, init }] = resend.sent as [(typeof resend.sent)[0]];
    expect(url).toBe(RESEND_ENDPOINT);
    expect(init.method).toBe("POST");
    const headers = new Headers(init.headers);
    expect(headers.get("authorization")).toBe("Bearer re_test_key");
    expect(headers.get("content-type")).toBe("application/json");
    expect(headers.get("idempotency-key")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const body = JSON.parse(String(init.body));
    expect(body).toEqual({
      from: env.EMAIL_FROM,
      to: [email],
      subject: expect.stringMatching(/^\d{6} é o seu código de acesso ao catraca$/),
      text: expect.stringContaining("Olá, Nina!"),
      html: expect.stringContaining("<!doctype html>"),
    });
    // Nothing went to the dev outbox.
    expect(await outbox(email)).toEqual([]);
  });

  it("answers a mail Resend refused, or could not be reached for, with 502 EMAIL_NOT_SENT", async () => {
    for (const answer of [
      () => Response.json({ message: "domain not verified" }, { status: 403 }),
      () => {
        throw new TypeError("network down");
      },
    ]) {
      const resend = fakeResend(answer);
      const email = `refused.${crypto.randomUUID()}@example.com`;
      const attempt = startSignIn(resendEnv, { name: "Otto", email, lang: "en" }, { fetch: resend.fetch });
      await expect(attempt).rejects.toSatisfy(
        (e) => e instanceof ApiError && e.status === 502 && e.code === "EMAIL_NOT_SENT",
      );
    }
  });

  it("says what is missing when RESEND_API_KEY is not set, instead of sending anything", async () => {
    const noKey = { ...env, EMAIL_PROVIDER: "resend" } as unknown as Env;
    const mail = codeMail("en", "ana@example.com", "Ana", "123456", 10);
    await expect(sendMail(noKey, mail, { idempotencyKey: "k" })).rejects.toThrow(/RESEND_API_KEY is not set/);
  });
});

describe("the code's mail", () => {
  it("is in Brazilian Portuguese or English, as text and HTML, with the fan's name escaped in the HTML", () => {
    const pt = codeMail("pt-BR", "ana@example.com", "Ana <b>", "012345", 10);
    expect(pt.subject).toBe("012345 é o seu código de acesso ao catraca");
    expect(pt.text).toContain("Olá, Ana <b>!");
    expect(pt.text).toContain("    012345\n");
    expect(pt.text).toContain("Ele vale por 10 minutos e só pode ser usado uma vez.");
    expect(pt.html).toContain("Ana &lt;b&gt;");
    expect(pt.html).toContain('<html lang="pt-BR">');
    const en = codeMail("en", "ana@example.com", "Ana", "012345", 10);
    expect(en.subject).toBe("012345 is your catraca sign-in code");
    expect(en.text).toContain("It works for 10 minutes, once.");
    expect(en.html).toContain('<html lang="en">');
  });
});
