/**
 * The show-wide `availability` message (src/messages.ts): every socket of the show learns each
 * class's free and held tickets, so a show's page stays true without a reload and without D1.
 * It is the same for every fan, so it is built once per send and handed to `send`, which reaches
 * every socket of the object (`FanSockets.broadcast`; where the fans' sockets live elsewhere, on
 * lanes, `send` is where they are relayed). Coalesced: at most one message per
 * `AVAILABILITY_INTERVAL_MS` for the whole show, whatever the number of changes, and none when the
 * counts did not move (a fan joining a queue changes no count). Nothing kept here matters across
 * hibernation: the last message sent is only an optimisation.
 */
import { AVAILABILITY_INTERVAL_MS, availabilityMessage } from "../messages";
import type { NotifierClock } from "./notifier";
import type { ClassAvailability } from "./types";

export class AvailabilityBroadcast {
  /** The classes of the last message sent (JSON), to send nothing when they did not change. */
  private lastSent: string | undefined;
  private lastAt = Number.NEGATIVE_INFINITY;
  private scheduled = false;
  private sending = false;
  private dirty = false;

  constructor(
    /** The counts now; undefined while the object has no show on sale. */
    private readonly read: () => ClassAvailability[] | undefined,
    /** One text to every socket of the show. */
    private readonly send: (text: string) => Promise<void>,
    private readonly clock: NotifierClock,
  ) {}

  /** The counts may have changed (a step changed some fan's state): tell every socket soon. */
  changed(): void {
    this.dirty = true;
    if (this.scheduled || this.sending) return;
    this.scheduled = true;
    const wait = Math.max(0, this.lastAt + AVAILABILITY_INTERVAL_MS - this.clock.now());
    this.clock
      .sleep(wait)
      .then(() => {
        this.scheduled = false;
        return this.flush();
      })
      .catch((err) => console.error("availability broadcast failed", { error: String(err) }));
  }

  /** The message as it stands, for a socket that just connected; undefined without a show on sale. */
  greeting(): string | undefined {
    const classes = this.read();
    return classes && JSON.stringify(availabilityMessage(classes, this.clock.now()));
  }

  private async flush(): Promise<void> {
    this.dirty = false;
    const classes = this.read();
    const key = classes && JSON.stringify(classes);
    if (!classes || key === this.lastSent) return;
    this.lastSent = key;
    this.lastAt = this.clock.now();
    this.sending = true;
    try {
      await this.send(JSON.stringify(availabilityMessage(classes, this.lastAt)));
    } finally {
      this.sending = false;
      // Changes during a send go out in the next interval.
      if (this.dirty) this.changed();
    }
  }
}
