/**
 * "Sign out everywhere" without a D1 query per call. A session token carries its account's session
 * version; the account object holds the current one. Each isolate keeps the versions it read for
 * 10 seconds, so a fan's calls cost at most one small RPC per isolate every 10 s, and a session
 * signed out everywhere stops working at once in the isolate that did it and within 10 s in every
 * other one (they may still trust the version they read just before).
 */
export const VERSION_TRUST_MS = 10_000;
/** Enough for every fan active in one isolate; past it the oldest readings go first. */
const MAX_ENTRIES = 50_000;

export class SessionVersions {
  private readonly read = new Map<string, { version: number; at: number }>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** The account's current version: the one read within the last 10 s, else `load`'s answer. */
  async current(account: string, load: () => Promise<number>): Promise<number> {
    const known = this.read.get(account);
    if (known && this.now() - known.at < VERSION_TRUST_MS) return known.version;
    const version = await load();
    this.remember(account, version);
    return version;
  }

  /** A version this isolate just read or wrote (a sign-in, a sign-out everywhere). */
  remember(account: string, version: number): void {
    this.read.delete(account);
    this.read.set(account, { version, at: this.now() });
    if (this.read.size > MAX_ENTRIES) {
      const oldest = this.read.keys().next();
      if (!oldest.done) this.read.delete(oldest.value);
    }
  }
}
