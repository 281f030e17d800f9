/**
 * One Durable Object per email (named by the email's hash, `accountKey`): the state a sign-in needs
 * that must not live in D1 nor in a stateless token. Open sign-in codes and their wrong tries, when
 * codes were sent (the per-email limit), the session version that "sign out everywhere" raises (and
 * reports to the revocation list, src/accounts/revocations.ts), the passkeys, and passkey sign-ins already used. Sign-ins are spread over as many objects as there are
 * emails, and D1 is written at most once, after a verified sign-in (`remember`). The rules are plain
 * functions (`rules.ts`), the storage synchronous (`store.ts`); the alarm forgets what ran out.
 */
import { DurableObject } from "cloudflare:workers";
import { SESSION_DAYS } from "../auth";
import { revocationList } from "./revocations";
import { type CodeAnswer, codeBudget, tryCode } from "./rules";
import { AccountStore, type Profile, type StoredPasskey } from "./store";

export type { Profile, StoredPasskey };

export type CodeStart = { ok: true } | { ok: false; retryAfterSeconds: number };

/** A verified code: who the account is as far as the object knows (nothing before the first sign-in). */
export type CodeResult =
  | (CodeAnswer & { outcome: "WRONG" | "EXPIRED" })
  | { outcome: "VERIFIED"; known: Profile | undefined };

export interface SignedIn {
  profile: Profile;
  sessionVersion: number;
  hasPasskeys: boolean;
}

export type PasskeySignIn =
  | ({ ok: true } & SignedIn)
  | { ok: false; reason: "USED" | "UNKNOWN_PASSKEY" | "NOT_SIGNED_UP" };

export class Account extends DurableObject<Env> {
  private store: AccountStore;
  /** The object's clock. Tests replace it (through `runInDurableObject`) to move time. */
  now: () => number = () => Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new AccountStore(ctx.storage);
  }

  /** A code is about to be sent for challenge `nonce`: within the email's budget, it opens. */
  async startCode(nonce: string, expiresAt: number): Promise<CodeStart> {
    const now = this.now();
    this.store.prune(now);
    const budget = codeBudget(this.store.sentAt(), now);
    if (!budget.ok) return { ok: false, retryAfterSeconds: Math.ceil(budget.retryAfterMs / 1000) };
    this.store.recordSend(now);
    this.store.putCode({ nonce, expiresAt, wrongTries: 0 });
    await this.scheduleCleaning();
    return { ok: true };
  }

  /** The fan typed a code for challenge `nonce`; the Worker compared it, in constant time. */
  async tryCode(nonce: string, correct: boolean): Promise<CodeResult> {
    const { answer, next } = tryCode(this.store.openCode(nonce), correct, this.now());
    if (next === null) this.store.endCode(nonce);
    else if (next) this.store.putCode(next);
    if (answer.outcome === "VERIFIED") return { outcome: "VERIFIED", known: this.store.profile() };
    return answer;
  }

  /** After a verified sign-in: the fan as D1 has them; answers what the session needs. */
  remember(profile: Profile): SignedIn {
    const known = this.store.profile();
    if (known?.userId !== profile.userId || known.name !== profile.name || known.email !== profile.email) {
      this.store.setProfile(profile);
    }
    return this.signedIn(profile);
  }

  private signedIn(profile: Profile): SignedIn {
    return {
      profile,
      sessionVersion: this.store.sessionVersion(),
      hasPasskeys: this.store.passkeys().length > 0,
    };
  }

  /** The version new sessions carry; older ones were signed out everywhere. */
  sessionVersion(): number {
    return this.store.sessionVersion();
  }

  /**
   * Every session issued so far stops working: the version goes up here (new sessions carry it)
   * and into the revocation list every isolate checks. A failure after the first write is retried
   * by the fan's next try, which raises the version once more: harmless.
   */
  async signOutEverywhere(): Promise<number> {
    const version = this.store.sessionVersion() + 1;
    this.store.setSessionVersion(version);
    const account = this.ctx.id.name;
    if (!account) throw new Error("an account object is always reached by name (its account key)");
    await revocationList(this.env).revoke(account, version, SESSION_DAYS * 86_400_000);
    return version;
  }

  profile(): Profile | undefined {
    return this.store.profile();
  }

  passkeys(): StoredPasskey[] {
    return this.store.passkeys();
  }

  /** False when this credential was already registered. */
  addPasskey(passkey: StoredPasskey): boolean {
    return this.store.addPasskey(passkey);
  }

  removePasskey(id: string): boolean {
    return this.store.removePasskey(id);
  }

  /** The credential a passkey sign-in names, to verify its signature against. */
  passkey(id: string): StoredPasskey | undefined {
    return this.store.passkey(id);
  }

  /**
   * A passkey sign-in whose signature the Worker verified: its challenge works once, and the
   * passkey must still be registered (it may have been removed since the Worker read it).
   */
  async completePasskeySignIn(
    nonce: string,
    expiresAt: number,
    passkeyId: string,
    counter: number,
  ): Promise<PasskeySignIn> {
    const now = this.now();
    const profile = this.store.profile();
    if (!profile) return { ok: false, reason: "NOT_SIGNED_UP" };
    if (!this.store.passkey(passkeyId)) return { ok: false, reason: "UNKNOWN_PASSKEY" };
    if (now >= expiresAt || !this.store.useCeremony(nonce, expiresAt)) return { ok: false, reason: "USED" };
    this.store.passkeyUsed(passkeyId, counter, now);
    await this.scheduleCleaning();
    return { ok: true, ...this.signedIn(profile) };
  }

  override async alarm(): Promise<void> {
    this.store.prune(this.now());
    if (this.store.forgettable()) {
      await this.ctx.storage.deleteAll();
      // Its tables went with it: an object woken again in this instance starts as a new one.
      this.store = new AccountStore(this.ctx.storage);
      return;
    }
    await this.scheduleCleaning();
  }

  /** The alarm at the next expiry of a short-lived record (alarms are at-least-once: a late one just prunes). */
  private async scheduleCleaning(): Promise<void> {
    const at = this.store.nextExpiry();
    if (at === undefined) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
