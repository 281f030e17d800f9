import type { ShowView } from "../../db/views";
import type { Lang, Messages } from "../../page/i18n";
import type { FanState, TicketClass } from "../../show/types";
import type { ServerClock } from "../clock";

/** What every screen of the sale panel may use: words, the show, the clock and the fan's actions. */
export interface SaleContext {
  showId: string;
  t: Messages;
  lang: Lang;
  clock: ServerClock;
  /** The latest catalogue entry for this show (sectors, prices, availability). */
  show(): ShowView;
  /** Say something to screen readers, politely. */
  announce(text: string): void;
  request(c: TicketClass): Promise<void>;
  cancel(): Promise<void>;
  pay(ticketId: string): Promise<void>;
  /** From the ticket screen, open the form for another ticket (a view change, not a state change). */
  chooseAnother(): void;
  /** Ask the server for the fan's state now. */
  refresh(): void;
}

/** One screen of the panel; `update` takes a new state of the same screen (a new position, say). */
export interface Screen {
  el: HTMLElement;
  update?(state: FanState): void;
  destroy?(): void;
}
