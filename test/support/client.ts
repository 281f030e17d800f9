/** A small HTTP + WebSocket client for the end-to-end layers (Node's own fetch and WebSocket). */
import { TEST_ADMIN_TOKEN } from "./dev-server.ts";

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: responses are checked field by field
  json: any;
  headers: Headers;
}

export class Api {
  readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  async call(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; admin?: boolean } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.admin) headers.authorization = `Bearer ${TEST_ADMIN_TOKEN}`;
    const res = await fetch(this.base + path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  }

  async createShow(spec: {
    sectors: { name: string; capacity: number; priceCents: number; meiaShare?: number }[];
    holdSeconds?: number;
    maxTicketsPerUser?: number;
    /** Waiting-room lanes (src/lanes/); the API's default is 1. */
    lanes?: number;
    /** ISO times: the sale's opening and (#14) its pre-queue's. */
    salesOpenAt?: string;
    prequeueOpensAt?: string;
  }) {
    const band = await this.call("POST", "/api/admin/bands", {
      admin: true,
      body: { name: "Banda E2E", genre: "Rock" },
    });
    if (band.status !== 201) throw new Error(`band ${band.status} ${JSON.stringify(band.json)}`);
    const show = await this.call("POST", "/api/admin/shows", {
      admin: true,
      body: {
        bandId: band.json.band.id,
        address: "Rua Augusta, 1 - São Paulo",
        // Shows are created for future dates only.
        startsAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
        ...spec,
      },
    });
    if (show.status !== 201) throw new Error(`show ${show.status} ${JSON.stringify(show.json)}`);
    return show.json.show as { id: string; drawCommitment: string | null };
  }

  /** A fan signed in the way fans sign in: a code mailed to a fresh address, read from the dev outbox. */
  async signIn(name: string): Promise<{ id: string; token: string }> {
    const email = `${crypto.randomUUID()}@example.com`;
    const { challenge } = await this.askCode(name, email);
    const res = await this.call("POST", "/api/sessions/verify", {
      body: { challenge, code: await this.mailedCode(email) },
    });
    if (res.status !== 201) throw new Error(`sign-in ${res.status} ${JSON.stringify(res.json)}`);
    return { id: res.json.user.id, token: res.json.token };
  }

  /** `POST /api/sessions`: the challenge of a code mailed to `email`. */
  async askCode(name: string, email: string): Promise<{ challenge: string; expiresAt: string }> {
    const res = await this.call("POST", "/api/sessions", { body: { name, email } });
    if (res.status !== 202) throw new Error(`sign-in code ${res.status} ${JSON.stringify(res.json)}`);
    return res.json;
  }

  /** The code of the latest mail to `email` in the dev outbox (EMAIL_PROVIDER=log). */
  async mailedCode(email: string): Promise<string> {
    const res = await this.call("GET", `/dev/outbox?email=${encodeURIComponent(email)}`);
    const text: string | undefined = res.json?.messages?.at(-1)?.text;
    const code = text && /\b(\d{6})\b/.exec(text)?.[1];
    if (!code) throw new Error(`no sign-in code mailed to ${email} (${res.status})`);
    return code;
  }
}
