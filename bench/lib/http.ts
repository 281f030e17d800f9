/** The benchmark's HTTP client: the end-to-end layer's `Api`, with the status checked. */
import { Api, type Reply } from "../../test/support/client.ts";

export interface Fan {
  id: string;
  token: string;
}

export class Http {
  readonly base: string;
  private readonly api: Api;

  constructor(base: string) {
    this.base = base;
    this.api = new Api(base);
  }

  /** One request; throws unless the status is one of `expect`. */
  async call(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; admin?: boolean; expect?: number[] } = {},
  ): Promise<Reply> {
    const { expect, ...request } = opts;
    const reply = await this.api.call(method, path, request);
    if (expect && !expect.includes(reply.status)) {
      throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.json)?.slice(0, 200)}`);
    }
    return reply;
  }

  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
  async json(method: string, path: string, opts: Parameters<Http["call"]>[2] = {}): Promise<any> {
    return (await this.call(method, path, opts)).json;
  }

  /** The fan's real sign-in: the code mailed (to the dev outbox, EMAIL_PROVIDER=log), then verified. */
  async signIn(email: string): Promise<Fan> {
    const { challenge } = await this.api.askCode("Fã", email);
    const r = await this.json("POST", "/api/sessions/verify", {
      body: { challenge, code: await this.api.mailedCode(email) },
      expect: [201],
    });
    return { id: r.user.id, token: r.token };
  }

  /** A session minted by the bench's own route (BENCH_ROUTES=on), for fans whose sign-in is not being measured. */
  async mintSession(email: string): Promise<Fan> {
    const r = await this.json("POST", "/api/bench/sessions", { body: { name: "Fã", email }, expect: [201] });
    return { id: r.user.id, token: r.token };
  }

  async createShow(spec: { capacity: number; holdSeconds: number; lanes?: number }): Promise<string> {
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
        // Shows are created for future dates only.
        startsAt: new Date(Date.now() + 60 * 86_400_000).toISOString(),
        holdSeconds: spec.holdSeconds,
        maxTicketsPerUser: 20,
        lanes: spec.lanes ?? 1,
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

  /** What the show's coordinator and each lane counted of their own work (the bench's route). */
  laneMetrics(showId: string): Promise<LaneMetrics> {
    return this.json("GET", `/api/bench/lanes/${showId}`, { expect: [200] });
  }

  /** D1 statements the server counted so far (BENCH_ROUTES' meter). */
  async d1Statements(): Promise<number> {
    return (await this.json("GET", "/api/bench/d1", { expect: [200] })).statements;
  }

  async waiting(showId: string): Promise<number> {
    return (await this.json("GET", `/api/admin/shows/${showId}/stats`, { admin: true, expect: [200] })).waiting;
  }
}

export interface ObjectCounts {
  since: number;
  counts: Record<string, number>;
  samples: Record<string, number[]>;
}

export interface LaneMetrics {
  lanes: number;
  coordinator: ObjectCounts;
  laneMetrics: (ObjectCounts & { sockets: number })[];
}
