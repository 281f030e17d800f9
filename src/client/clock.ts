/**
 * The server's clock as seen from this page. Every state message carries `serverTime`; the offset
 * between it and the local clock lets a countdown to `expiresAt` stay right on a phone whose clock
 * is minutes off, and after a reload (the first message of the new socket syncs it again).
 */
export class ServerClock {
  private offsetMs = 0;

  constructor(private readonly localNow: () => number = () => Date.now()) {}

  /** A server timestamp received just now. Network delay makes it a little late, never early. */
  sync(serverTime: string, receivedAt = this.localNow()): void {
    const server = Date.parse(serverTime);
    if (Number.isFinite(server)) this.offsetMs = server - receivedAt;
  }

  now(): number {
    return this.localNow() + this.offsetMs;
  }

  /** Milliseconds until an ISO instant by the server's clock, never negative. */
  until(iso: string): number {
    return Math.max(0, Date.parse(iso) - this.now());
  }
}
