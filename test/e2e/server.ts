/**
 * One `wrangler dev` for an end-to-end test file, started before its tests and removed after them,
 * and a client for it.
 */
import { afterAll, beforeAll } from "vitest";
import { Api } from "../support/client.ts";
import { type DevServer, type DevServerOptions, startDevServer } from "../support/dev-server.ts";

export function devServerSuite(opts: DevServerOptions = {}): { server: DevServer; api: Api } {
  const suite = {} as { server: DevServer; api: Api };
  beforeAll(async () => {
    suite.server = await startDevServer(opts);
    suite.api = new Api(suite.server.url);
  });
  afterAll(async () => {
    await suite.server?.dispose();
  });
  return suite;
}
