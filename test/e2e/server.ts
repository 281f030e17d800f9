/**
 * One `wrangler dev` for an end-to-end test file, started before its tests and removed after them,
 * a client for it, and the file's live sockets (`live`), all closed after its tests.
 */
import { afterAll, beforeAll } from "vitest";
import { Api } from "../support/client.ts";
import { type DevServer, type DevServerOptions, startDevServer } from "../support/dev-server.ts";
import { type LiveSocket, openLive } from "../support/live-client.ts";

export interface DevServerSuite {
  server: DevServer;
  api: Api;
  /** A fan's socket on a show, closed with the suite. */
  live(showId: string, token: string): Promise<LiveSocket>;
}

export function devServerSuite(opts: DevServerOptions = {}): DevServerSuite {
  const sockets: LiveSocket[] = [];
  const suite: DevServerSuite = {
    server: undefined as unknown as DevServer,
    api: undefined as unknown as Api,
    async live(showId, token) {
      const s = await openLive(suite.server.url, showId, token);
      sockets.push(s);
      return s;
    },
  };
  beforeAll(async () => {
    suite.server = await startDevServer(opts);
    suite.api = new Api(suite.server.url);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await suite.server?.dispose();
  });
  return suite;
}
