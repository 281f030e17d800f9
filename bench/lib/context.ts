/** What every scenario shares: the server, the HTTP client, a pool of signed-in fans, the options. */
import type { Fan, Http } from "./http.ts";
import { closedLoop } from "./load.ts";
import type { BenchServer } from "./server.ts";

export interface Options {
  fans: number;
  /** `--lanes`: the lane counts to compare (1 always among them). */
  lanes: number[] | undefined;
  tickets: number;
  concurrency: number;
  rounds: number;
  levels: number[];
  /** Seats of the show the create scenario creates. */
  createSeats: number;
  soak: boolean;
  soakMinutes: number;
  only: Set<string> | undefined;
  cpuProfile: boolean;
  verbose: boolean;
  out: string;
}

export interface Context {
  server: BenchServer;
  http: Http;
  opts: Options;
  fans: FanPool;
  log(message: string): void;
}

/** Signed-in fans, created on demand and reused across shows (a fan may queue for many shows). */
export class FanPool {
  private readonly http: Http;
  private readonly run = Date.now().toString(36);
  readonly all: Fan[] = [];

  constructor(http: Http) {
    this.http = http;
  }

  /** The first `n` fans, signing in the missing ones. */
  async take(n: number, concurrency: number): Promise<Fan[]> {
    const missing = n - this.all.length;
    if (missing > 0) {
      const start = this.all.length;
      const fresh: Fan[] = new Array(missing);
      const load = await closedLoop(missing, concurrency, async (i) => {
        fresh[i] = await this.http.mintSession(`bench-${this.run}-${start + i}@example.com`);
      });
      if (load.errors > 0) throw new Error(`sign-in failed ${load.errors} times: ${load.firstError}`);
      this.all.push(...fresh);
    }
    return this.all.slice(0, n);
  }

  /** Fans signed in by a measured phase (the rush), reused afterwards. */
  adopt(fans: Fan[]): void {
    this.all.push(...fans);
  }

  email(i: number): string {
    return `bench-${this.run}-${i}@example.com`;
  }
}
