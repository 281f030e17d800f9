/**
 * A small cache in the Worker isolate's memory. Each key's answer, found or not, is kept for a
 * while (`ttlMs`, which may depend on the answer). A lookup that fails is not kept. The cache is
 * bounded: past `maxEntries`, the oldest entries go first, so made-up keys cannot fill memory.
 * `forget` drops entries at once (a lookup under way included: its answer is not kept).
 *
 * Only settled answers are shared between requests, never a lookup under way: in Workers a
 * request that awaits a promise whose I/O belongs to another request hangs, or is cancelled, when
 * that other request ends first (a fan who went away), and an I/O object cannot cross requests
 * ("Cannot perform I/O on behalf of a different request"). So a call that finds another request's
 * lookup under way waits for its answer on its own timer (`waitMs` at most, looking every
 * `pollMs`), and looks the key up itself if none came: calls at once still cost one lookup as long
 * as the first caller lives.
 */
export interface TtlCacheOptions<V> {
  ttlMs(value: V): number;
  maxEntries: number;
  now?: () => number;
  /** How long a call waits for another request's lookup of the same key before doing its own. */
  waitMs?: number;
  pollMs?: number;
}

type Entry<V> = { state: "pending" } | { state: "settled"; until: number; value: V };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TtlCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly now: () => number;
  private readonly waitMs: number;
  private readonly pollMs: number;
  /** Calls to `forget` so far. */
  private forgets = 0;

  constructor(private readonly opts: TtlCacheOptions<V>) {
    this.now = opts.now ?? Date.now;
    this.waitMs = opts.waitMs ?? 200;
    this.pollMs = opts.pollMs ?? 2;
  }

  /** The cached answer for `key`, or `load`'s; `load`'s promise is only ever awaited by this call. */
  async get(key: K, load: () => Promise<V>): Promise<V> {
    const found = this.fresh(key);
    if (found) return found.value;
    if (this.entries.get(key)?.state === "pending") {
      // Another request is looking it up: wait for its settled answer, never for its promise.
      const deadline = Date.now() + this.waitMs;
      while (this.entries.get(key)?.state === "pending" && Date.now() < deadline) await sleep(this.pollMs);
      const settled = this.fresh(key);
      if (settled) return settled.value;
    }
    const mine: Entry<V> = { state: "pending" };
    if (this.entries.get(key)?.state !== "pending") this.put(key, mine);
    const forgets = this.forgets;
    let value: V;
    try {
      value = await load();
    } catch (err) {
      if (this.entries.get(key) === mine) this.entries.delete(key);
      throw err;
    }
    // A `forget` since the lookup started may have been about this key: its answer is not kept.
    if (this.forgets === forgets && this.entries.get(key)?.state !== "settled") {
      this.put(key, { state: "settled", until: this.now() + this.opts.ttlMs(value), value });
    } else if (this.entries.get(key) === mine) this.entries.delete(key);
    return value;
  }

  /** Drop every entry whose key matches: the next call for it looks it up again. */
  forget(matches: (key: K) => boolean): void {
    this.forgets += 1;
    for (const key of [...this.entries.keys()]) if (matches(key)) this.entries.delete(key);
  }

  private fresh(key: K): { value: V } | undefined {
    const hit = this.entries.get(key);
    if (hit?.state !== "settled") return undefined;
    if (hit.until > this.now()) return hit;
    this.entries.delete(key);
    return undefined;
  }

  private put(key: K, entry: Entry<V>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.opts.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}
