/** The benchmark's HTTP client: Node's fetch, the body always read, the status checked. */
import { TEST_ADMIN_TOKEN } from "../../test/support/dev-server.ts";

export interface Fan {
  id: string;
  token: string;
}

export class Http {
  readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  /** One request; throws unless the status is one of `expect`. */
  async call(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; admin?: boolean; expect?: number[] } = {},
  ): Promise<{ status: number; text: string }> {
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
    if (opts.expect && !opts.expect.includes(res.status)) {
      throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    }
    return { status: res.status, text };
  }

  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
  async json(method: string, path: string, opts: Parameters<Http["call"]>[2] = {}): Promise<any> {
    return JSON.parse((await this.call(method, path, opts)).text);
  }

  async signIn(email: string): Promise<Fan> {
    const r = await this.json("POST", "/api/sessions", { body: { name: "Fã", email }, expect: [201] });
    return { id: r.user.id, token: r.token };
  }

  async createShow(spec: { capacity: number; holdSeconds: number }): Promise<string> {
    const band = await this.json("POST", "/api/admin/bands", {
      admin: true,
      body: { name: "Banda do Bench", genre: "Axé" },
      expect: [201],
    });
    const show = await this.json("POST", "/api/admin/shows", {
      admin: true,
      expect: [201],
      body: {
        bandId: band.band.id,
        address: "Arena, Salvador - BA",
        startsAt: "2027-02-01T22:00:00Z",
        holdSeconds: spec.holdSeconds,
        maxTicketsPerUser: 20,
        sectors: [{ name: "Pista", capacity: spec.capacity, priceCents: 20000, meiaShare: 0 }],
      },
    });
    return show.show.id;
  }

  request(showId: string, fan: Fan) {
    return this.call("PATCH", `/${showId}/ingresso/request`, {
      token: fan.token,
      body: { sector: "Pista" },
      expect: [200, 202],
    });
  }

  cancel(showId: string, fan: Fan) {
    return this.call("PATCH", `/${showId}/ingresso/cancel`, { token: fan.token, expect: [200] });
  }

  async waiting(showId: string): Promise<number> {
    return (await this.json("GET", `/api/admin/shows/${showId}/stats`, { admin: true, expect: [200] })).waiting;
  }
}
