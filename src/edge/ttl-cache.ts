/**
 * A small cache in the Worker isolate's memory. Each key's answer, found or not, is kept for a
 * while (`ttlMs`, which may depend on the answer), and calls for a key at once share one lookup:
 * an isolate asks for a key at most once per TTL. A lookup that fails is not kept. The cache is
 * bounded: past `maxEntries`, the oldest entries go first, so made-up keys cannot fill memory.
 * `forget` drops entries at once (a lookup under way included: its answer is not kept).
 */
export interface TtlCacheOptions<V> {
  ttlMs(value: V): number;
  maxEntries: number;
  now?: () => number;
}

export class TtlCache<K, V> {
  private readonly entries = new Map<K, { until: number; value: Promise<V> }>();
  private readonly now: () => number;

  constructor(private readonly opts: TtlCacheOptions<V>) {
    this.now = opts.now ?? Date.now;
  }

  /** The cached answer for `key`, or `load`'s (once, however many calls arrive meanwhile). */
  get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    this.entries.delete(key);
    const entry = { until: Number.POSITIVE_INFINITY, value: load() };
    this.entries.set(key, entry);
    entry.value.then(
      (v) => {
        entry.until = this.now() + this.opts.ttlMs(v);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.opts.maxEntries) break;
      this.entries.delete(oldest);
    }
    return entry.value;
  }

  /** Drop every entry whose key matches: the next call for it looks it up again. */
  forget(matches: (key: K) => boolean): void {
    for (const key of [...this.entries.keys()]) if (matches(key)) this.entries.delete(key);
  }
}
