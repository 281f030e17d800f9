/**
 * Answers that are the same for every fan, kept a few seconds, so that an on-sale rush of page
 * loads and reloads reaches neither D1 nor the show objects: the catalogue (`GET /api/shows`, per
 * cursor and `past`), one show (`GET /api/shows/:showId`), the home page and a show's page (per
 * language, cursor and `past`). Two layers, looked up in this order:
 *
 * - the isolate's memory: what works everywhere, `*.workers.dev` included; calls for one key at
 *   once wait for one render (`TtlCache`: its settled answer, never another request's promise);
 * - the Workers Cache API (`caches.default`): shared by the isolates of one data center; it does
 *   nothing on `*.workers.dev` (and in the dashboard's preview), where the memory layer alone works.
 *
 * What an answer shows is read once per TTL per isolate, whatever the language or the format that
 * asks (`read`): the home page in each language and `GET /api/shows` share one read of a catalogue
 * page, a show's page and `GET /api/shows/:showId` one read of the show. An answer lives
 * `SHARED_TTL_MS` from when what it shows was read, in both layers. An organizer's
 * write purges what it changed (`purgeShow`: the show's own answers and the catalogue's), but a
 * purge reaches only this isolate's memory and this data center's Cache API, and of the catalogue
 * only its first pages there (a cursor's page is keyed by a cursor nobody can list): everywhere
 * else the TTL bounds how long the old answer lives. Availability in a cached answer is as old as
 * the answer; the show's page corrects it live from the socket's `availability` message.
 *
 * Nothing about a fan can be in a stored answer: a render takes no request, only the language and
 * the normalized query of its key (the pages' renders get a context without any fan), and what is
 * stored is a status, a content type and a body: no cookie, no header of the request's.
 */
import type { Context } from "hono";
import { LANGS, type Lang } from "../page/i18n";
import { TtlCache } from "./ttl-cache";

/** How long an answer is kept: a few seconds, the most its availability can lag outside the show's page. */
export const SHARED_TTL_MS = 5_000;

/** A render's answer: all that is stored. */
export interface Rendered {
  status: 200 | 404;
  contentType: string;
  body: string;
}

export interface SharedAnswer extends Rendered {
  /** When what it shows was read, by the cache's clock: fresh for `SHARED_TTL_MS` from then. */
  storedAt: number;
}

/** What answers are rendered from, and when it was read. */
export interface Read<T> {
  value: T;
  readAt: number;
}

/** Where an answer came from: this isolate's memory, the data center's Cache API, or a render now. */
export type Source = "memory" | "edge" | "render";

/** The catalogue's query as it keys an answer: a cursor the catalogue gave, and past shows or not. */
export interface CatalogueQuery {
  cursor?: string;
  past: boolean;
}

/**
 * What an answer is: `scope` says which writes change it (the catalogue, or one show), `path` is
 * the normalized request (nothing else of the request's), `lang` the page's language (the JSON is
 * the same in every language: one entry).
 */
export interface SharedKey {
  scope: string;
  path: string;
  lang?: Lang;
}

const CATALOGUE = "catalogue";
const showScope = (showId: string) => `show:${showId}`;

function search(q: CatalogueQuery): string {
  const params = new URLSearchParams();
  if (q.cursor) params.set("cursor", q.cursor);
  if (q.past) params.set("past", "1");
  const text = params.toString();
  return text ? `?${text}` : "";
}

export const sharedKeys = {
  catalogue: (q: CatalogueQuery): SharedKey => ({ scope: CATALOGUE, path: `/api/shows${search(q)}` }),
  home: (q: CatalogueQuery, lang: Lang): SharedKey & { lang: Lang } => ({
    scope: CATALOGUE,
    path: `/${search(q)}`,
    lang,
  }),
  show: (showId: string): SharedKey => ({ scope: showScope(showId), path: `/api/shows/${showId}` }),
  showPage: (showId: string, lang: Lang): SharedKey & { lang: Lang } => ({
    scope: showScope(showId),
    path: `/shows/${showId}`,
    lang,
  }),
};

/** The keys a write about this show may have made stale that a purge can name (the catalogue's first pages). */
function purgeable(showId: string): SharedKey[] {
  const firstPages = [false, true].map((past) => ({ past }));
  return [
    sharedKeys.show(showId),
    ...firstPages.map(sharedKeys.catalogue),
    ...LANGS.flatMap((lang) => [sharedKeys.showPage(showId, lang), ...firstPages.map((q) => sharedKeys.home(q, lang))]),
  ];
}

/** Not a host of ours: the Cache API's keys only, never fetched. */
const EDGE_ORIGIN = "https://shared-answers.catraca.internal";
const edgeUrl = (k: SharedKey) => `${EDGE_ORIGIN}/${k.lang ?? "json"}${k.path}`;
const memoryKey = (k: SharedKey) => `${k.scope} ${k.lang ?? "json"} ${k.path}`;
const dataKey = (k: SharedKey) => `${k.scope} ${k.path}`;
const scopeOf = (memoryOrDataKey: string) => memoryOrDataKey.slice(0, memoryOrDataKey.indexOf(" "));
const STORED_AT = "x-catraca-stored-at";
const STATUS = "x-catraca-status";

export interface SharedCacheOptions {
  ttlMs: number;
  /** Answers kept in the isolate's memory at most (the oldest go first). */
  maxEntries: number;
  now(): number;
  /** The data center's cache, where there is one. */
  edge(): Cache | undefined;
}

export class SharedCache {
  private readonly memory: TtlCache<string, SharedAnswer>;
  private readonly data: TtlCache<string, Read<unknown>>;
  /** Purges so far: a render that saw one start meanwhile may be older than the write, and is not shared. */
  private purges = 0;

  constructor(private readonly opts: SharedCacheOptions) {
    this.memory = new TtlCache({
      ttlMs: (a) => Math.max(0, a.storedAt + opts.ttlMs - opts.now()),
      maxEntries: opts.maxEntries,
      now: opts.now,
    });
    this.data = new TtlCache({
      ttlMs: (d) => Math.max(0, d.readAt + opts.ttlMs - opts.now()),
      maxEntries: opts.maxEntries,
      now: opts.now,
    });
  }

  /**
   * What the answers of `key` (in any language) show: `load`ed once per TTL in this isolate,
   * calls at once sharing the load. Its `readAt` is when the load started.
   */
  async read<T>(key: SharedKey, load: () => Promise<T>): Promise<Read<T>> {
    return (await this.data.get(dataKey(key), async () => {
      const readAt = this.opts.now();
      return { readAt, value: await load() };
    })) as Read<T>;
  }

  /**
   * The answer for `key`: from memory, else the Cache API, else `render` (once for every call at
   * once), which says when what it shows was read (`read`'s `readAt`); a rendered answer is put in
   * the Cache API through `later` (the request's `waitUntil`).
   */
  async get(
    key: SharedKey,
    render: () => Promise<Rendered & { readAt: number }>,
    later: (work: Promise<unknown>) => void,
  ): Promise<{ answer: SharedAnswer; source: Source }> {
    let source: Source = "memory";
    const answer = await this.memory.get(memoryKey(key), async () => {
      const stored = await this.fromEdge(key);
      if (stored) {
        source = "edge";
        return stored;
      }
      source = "render";
      const purges = this.purges;
      const { readAt, ...answer } = await render();
      const rendered: SharedAnswer = { ...answer, storedAt: readAt };
      if (this.purges === purges) later(this.toEdge(key, rendered));
      return rendered;
    });
    return { answer, source };
  }

  /**
   * A write changed this show (created, archived, on sale at last): drop its own answers and the
   * catalogue's, from this isolate's memory and this data center's Cache API. Other isolates and
   * data centers keep theirs until their TTL.
   */
  async purgeShow(showId: string): Promise<void> {
    this.purges += 1;
    const scopes = new Set([CATALOGUE, showScope(showId)]);
    this.memory.forget((k) => scopes.has(scopeOf(k)));
    this.data.forget((k) => scopes.has(scopeOf(k)));
    const edge = this.opts.edge();
    if (!edge) return;
    await Promise.all(
      purgeable(showId).map((k) =>
        edge
          .delete(edgeUrl(k))
          .catch((err) => console.warn("shared cache: a purge failed", { key: k.path, error: String(err) })),
      ),
    );
  }

  private async fromEdge(key: SharedKey): Promise<SharedAnswer | undefined> {
    const edge = this.opts.edge();
    if (!edge) return undefined;
    try {
      const res = await edge.match(edgeUrl(key));
      const storedAt = Number(res?.headers.get(STORED_AT));
      // The Cache API keeps it for its max-age; the cache's own clock decides freshness.
      if (!res || !(storedAt + this.opts.ttlMs > this.opts.now())) return undefined;
      const status = res.headers.get(STATUS) === "404" ? 404 : 200;
      return { status, contentType: res.headers.get("content-type") ?? "text/plain", body: await res.text(), storedAt };
    } catch (err) {
      console.warn("shared cache: the Cache API could not be read", { key: key.path, error: String(err) });
      return undefined;
    }
  }

  private async toEdge(key: SharedKey, a: SharedAnswer): Promise<void> {
    const edge = this.opts.edge();
    if (!edge) return;
    try {
      await edge.put(
        edgeUrl(key),
        new Response(a.body, {
          headers: {
            "content-type": a.contentType,
            "cache-control": `public, max-age=${Math.ceil(this.opts.ttlMs / 1000)}`,
            [STORED_AT]: String(a.storedAt),
            [STATUS]: String(a.status),
          },
        }),
      );
    } catch (err) {
      console.warn("shared cache: the Cache API could not be written", { key: key.path, error: String(err) });
    }
  }
}

let clock: () => number = Date.now;

/** The Worker's shared answers (one per isolate). */
export const sharedAnswers = new SharedCache({
  ttlMs: SHARED_TTL_MS,
  maxEntries: 500,
  now: () => clock(),
  edge: () => (typeof caches === "undefined" ? undefined : caches.default),
});

/**
 * The shared answers' one seam, for tests: their clock (`undefined` gives `Date.now` back), so that
 * a test can step past the TTL instead of waiting for it. Nothing replaces it outside tests.
 */
export function setSharedClock(now: (() => number) | undefined): void {
  clock = now ?? Date.now;
}

/** `work` outlives the answer where the runtime allows it (`waitUntil`); elsewhere (a test's `app.request`) it just runs. */
function later(c: Context, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    void work;
  }
}

/**
 * Answer `key` from the shared answers, `render` on a miss. Pages tell browsers to ask again each
 * time (their language follows a cookie); the JSON may be kept by anyone for what is left of its TTL.
 */
export async function serveShared(
  c: Context,
  key: SharedKey,
  render: () => Promise<Rendered & { readAt: number }>,
): Promise<Response> {
  const { answer, source } = await sharedAnswers.get(key, render, (work) => later(c, work));
  const left = Math.max(0, Math.floor((answer.storedAt + SHARED_TTL_MS - clock()) / 1000));
  return c.body(answer.body, answer.status, {
    "content-type": answer.contentType,
    "cache-control": key.lang ? "no-cache" : `public, max-age=${left}`,
    ...(key.lang && { vary: "Accept-Language, Cookie" }),
    "x-catraca-cache": source,
  });
}
