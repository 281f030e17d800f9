/**
 * The shared answers' cache (src/edge/shared-cache.ts) alone, on a clock of the test's: the
 * isolate's memory in front of a data center's Cache API (a cache of this test's own), what a
 * purge reaches and what it cannot.
 */
import { describe, expect, it } from "vitest";
import { type Rendered, SharedCache, type SharedKey, sharedKeys } from "../../../src/edge/shared-cache";

const TTL = 5_000;

/** One isolate's cache over `edge` (another isolate of the same data center shares it), on `clock`. */
function isolate(clock: { now: number }, edge: Cache | undefined) {
  const cache = new SharedCache({ ttlMs: TTL, maxEntries: 100, now: () => clock.now, edge: () => edge });
  const renders: string[] = [];
  const pending: Promise<unknown>[] = [];
  const get = (key: SharedKey, body = "v1") =>
    cache.get(
      key,
      async () => {
        renders.push(key.path);
        return { status: 200 as const, contentType: "application/json", body, readAt: clock.now };
      },
      (work) => pending.push(work),
    );
  /** The Cache API writes the answers left for later. */
  const settled = () => Promise.all(pending.splice(0));
  return { cache, get, renders, settled };
}

const dataCenter = () => caches.open(`shared-cache-test-${crypto.randomUUID()}`);

describe("the shared answers", () => {
  it("renders a key once for its TTL, calls at once sharing the render, counted from when the render started", async () => {
    const clock = { now: 1_000 };
    const a = isolate(clock, undefined);
    const key = sharedKeys.show("show_a");
    const answers = await Promise.all([a.get(key), a.get(key), a.get(key)]);
    expect(answers.map((x) => x.answer.body)).toEqual(["v1", "v1", "v1"]);
    expect(answers[0]?.source).toBe("render");
    expect(a.renders).toEqual(["/api/shows/show_a"]);
    clock.now = 1_000 + TTL - 1;
    expect((await a.get(key)).source).toBe("memory");
    clock.now = 1_000 + TTL;
    expect((await a.get(key, "v2")).answer.body).toBe("v2");
    expect(a.renders).toHaveLength(2);
  });

  it("reads what a show's answers show once per TTL, whatever the language or format, and ages each answer from that read", async () => {
    const clock = { now: 0 };
    const a = isolate(clock, undefined);
    let reads = 0;
    const read = () =>
      a.cache.read(sharedKeys.show("show_r"), async () => {
        reads += 1;
        return `show read at ${clock.now}`;
      });
    const render = (key: SharedKey) =>
      a.cache.get(
        key,
        async () => {
          const { value, readAt } = await read();
          return { status: 200 as const, contentType: "text/plain", body: `${key.lang ?? "json"}: ${value}`, readAt };
        },
        () => {},
      );
    await render(sharedKeys.show("show_r"));
    clock.now = 3_000;
    const pt = await render(sharedKeys.showPage("show_r", "pt-BR"));
    const en = await render(sharedKeys.showPage("show_r", "en"));
    expect(reads).toBe(1);
    expect([pt.answer.body, en.answer.body]).toEqual(["pt-BR: show read at 0", "en: show read at 0"]);
    // Rendered at 3 s from a read at 0: it lives until 5 s, not 8.
    clock.now = TTL;
    expect((await render(sharedKeys.showPage("show_r", "en"))).answer.body).toBe(`en: show read at ${TTL}`);
    expect(reads).toBe(2);
    await a.cache.purgeShow("show_r");
    await render(sharedKeys.show("show_r"));
    expect(reads).toBe(3);
  });

  it("keeps one entry per language for a page, one for the JSON whatever the language", async () => {
    const pt = sharedKeys.showPage("show_a", "pt-BR");
    const en = sharedKeys.showPage("show_a", "en");
    expect(pt.path).toBe(en.path);
    const clock = { now: 0 };
    const a = isolate(clock, undefined);
    await a.get(pt);
    await a.get(en);
    expect(a.renders).toHaveLength(2);
    expect(sharedKeys.catalogue({ past: false }).lang).toBeUndefined();
    // The catalogue's query, normalized: `past=0` is no `past`, a cursor keys its own page.
    expect(sharedKeys.catalogue({ past: false }).path).toBe("/api/shows");
    expect(sharedKeys.catalogue({ cursor: "abc", past: true }).path).toBe("/api/shows?cursor=abc&past=1");
  });

  it("lets another isolate of the same data center take the answer from the Cache API, fresh by the cache's own clock", async () => {
    const clock = { now: 10_000 };
    const edge = await dataCenter();
    const first = isolate(clock, edge);
    const second = isolate(clock, edge);
    const key = sharedKeys.show("show_b");
    await first.get(key);
    await first.settled();
    clock.now += 1_000;
    const got = await second.get(key);
    expect(got.source).toBe("edge");
    expect(got.answer).toMatchObject({ body: "v1", status: 200, storedAt: 10_000 });
    expect(second.renders).toEqual([]);
    // What it took lives in its memory only as long as it had left.
    clock.now = 10_000 + TTL;
    expect((await second.get(key, "v2")).source).toBe("render");
  });

  it("works on memory alone where there is no Cache API (*.workers.dev)", async () => {
    const clock = { now: 0 };
    const a = isolate(clock, undefined);
    await a.get(sharedKeys.show("show_c"));
    expect((await a.get(sharedKeys.show("show_c"))).source).toBe("memory");
    await a.cache.purgeShow("show_c");
    expect((await a.get(sharedKeys.show("show_c"))).source).toBe("render");
  });

  it("purges a show's answers and the catalogue's first pages here and in the data center, not another isolate's memory", async () => {
    const clock = { now: 0 };
    const edge = await dataCenter();
    const writer = isolate(clock, edge);
    const other = isolate(clock, edge);
    const cursorPage = sharedKeys.catalogue({ cursor: "page2", past: false });
    const named = [
      sharedKeys.show("show_d"),
      sharedKeys.showPage("show_d", "pt-BR"),
      sharedKeys.catalogue({ past: false }),
      sharedKeys.home({ past: true }, "en"),
    ];
    const keys = [...named, cursorPage];
    for (const k of keys) await writer.get(k);
    await writer.settled();
    for (const k of keys) await other.get(k);
    const unrelated = sharedKeys.show("show_e");
    await writer.get(unrelated);

    await writer.cache.purgeShow("show_d");
    for (const k of named) expect((await writer.get(k, "v2")).answer.body).toBe("v2");
    expect((await writer.get(unrelated)).source).toBe("memory");
    // A cursor's page is gone from this isolate's memory, but no purge can name it in the Cache API:
    // it lives out its TTL there.
    expect(await writer.get(cursorPage, "v2")).toMatchObject({ source: "edge", answer: { body: "v1" } });
    // Another isolate keeps what its memory holds until its TTL: a purge cannot reach it.
    for (const k of keys) expect((await other.get(k)).source).toBe("memory");
    // A third isolate of the data center finds the purged answers gone and the new ones there.
    await writer.settled();
    const third = isolate(clock, edge);
    for (const k of named) expect((await third.get(k)).answer.body).toBe("v2");
    clock.now = TTL;
    for (const k of keys) expect((await other.get(k, "v3")).answer.body).toBe("v3");
  });

  it("shares no answer whose render was under way when a purge came: it may predate the write", async () => {
    const clock = { now: 0 };
    const edge = await dataCenter();
    const writer = isolate(clock, edge);
    let finish: (r: Rendered & { readAt: number }) => void = () => {};
    let started: () => void = () => {};
    const rendering = new Promise<void>((r) => (started = r));
    const later: Promise<unknown>[] = [];
    const key = sharedKeys.show("show_f");
    const render = () =>
      new Promise<Rendered & { readAt: number }>((r) => {
        finish = r;
        started();
      });
    const slow = writer.cache.get(key, render, (w) => later.push(w));
    await rendering;
    await writer.cache.purgeShow("show_f");
    finish({ status: 200, contentType: "application/json", body: "before the write", readAt: clock.now });
    expect((await slow).answer.body).toBe("before the write");
    expect(later).toEqual([]);
    expect((await writer.get(key, "after")).answer.body).toBe("after");
  });
});
