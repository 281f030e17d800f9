/**
 * What an object counts about its own work, in memory (gone when it restarts): calls by kind,
 * messages sent, lanes' refills, admissions held up. The benchmark reads them through the bench
 * routes (`GET /api/bench/lanes/:showId`, only where `BENCH_ROUTES` is on); nothing decides on them.
 */
export class Counters {
  private readonly counts = new Map<string, number>();
  private readonly samples = new Map<string, number[]>();
  readonly since = Date.now();

  add(name: string, n = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }

  /** A duration or size to summarize; the last `MAX_SAMPLES` of each kind are kept. */
  sample(name: string, value: number): void {
    const list = this.samples.get(name) ?? [];
    if (list.length >= MAX_SAMPLES) list.shift();
    list.push(value);
    this.samples.set(name, list);
  }

  snapshot(): { since: number; counts: Record<string, number>; samples: Record<string, number[]> } {
    return {
      since: this.since,
      counts: Object.fromEntries(this.counts),
      samples: Object.fromEntries([...this.samples].map(([k, v]) => [k, [...v]])),
    };
  }
}

const MAX_SAMPLES = 5_000;
