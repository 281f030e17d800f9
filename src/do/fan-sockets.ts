/**
 * The fans' hibernatable WebSockets on one Durable Object. Each socket is tagged with its fan's id,
 * so every tab of a fan is found again after the object hibernates (`getWebSockets(fanId)`), and
 * carries what the object must remember about it in its attachment, which survives hibernation.
 * One fan holds at most `MAX_SOCKETS_PER_FAN` sockets here (one more closes the oldest) and a
 * socket may send at most `CLIENT_MESSAGE_LIMIT` messages per window: one script with one account
 * can neither fill the object's sockets nor keep it busy.
 */
import { ERROR_STATUS, type ErrorCode, errorBody, MESSAGES } from "../errors";
import {
  CLIENT_MESSAGE_LIMIT,
  CLOSE,
  FAN_HEADER,
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_SOCKETS_PER_FAN,
  SHOW_HEADER,
} from "../messages";

/**
 * A socket upgrade the Worker forwarded once it authenticated the fan: the fan and the show it
 * names, or the answer to anything else (426, in the contract's error shape).
 */
export function upgradeOf(request: Request): { fanId: string; showId: string } | Response {
  const fanId = request.headers.get(FAN_HEADER);
  const showId = request.headers.get(SHOW_HEADER);
  if (!fanId || !showId || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return Response.json(errorBody("UPGRADE_REQUIRED", MESSAGES.UPGRADE_REQUIRED), { status: 426 });
  }
  return { fanId, showId };
}

/** An upgrade the object refuses (no such show, one not on sale): the contract's error and status. */
export function refusedUpgrade(refusal: { code: ErrorCode; message: string }): Response {
  return Response.json(errorBody(refusal.code, refusal.message), { status: ERROR_STATUS[refusal.code] });
}

/**
 * Sockets sent to at once by `broadcast`: the runtime's work per message (not the JavaScript's) is
 * what costs, so a show-wide message goes out a slice at a time with a pause between slices.
 */
export const BROADCAST_SLICE = 64;

/** What a socket carries across hibernation. */
interface Attachment {
  fanId: string;
  /** When it was accepted: the oldest goes first past the cap. */
  since: number;
  /** The start of its current message window, and the messages counted in it. */
  window: number;
  sent: number;
}

export class FanSockets {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly now: () => number,
  ) {}

  /** Take a fan's socket into the hibernation API; past the cap, close the fan's oldest sockets. */
  accept(ws: WebSocket, fanId: string): void {
    const open = this.of(fanId);
    const now = this.now();
    this.ctx.acceptWebSocket(ws, [fanId]);
    ws.serializeAttachment({ fanId, since: now, window: now, sent: 0 } satisfies Attachment);
    const excess = open.length + 1 - MAX_SOCKETS_PER_FAN;
    if (excess <= 0) return;
    const oldest = open.sort((a, b) => (attachment(a)?.since ?? 0) - (attachment(b)?.since ?? 0));
    for (const old of oldest.slice(0, excess)) {
      close(old, CLOSE.REPLACED, `more than ${MAX_SOCKETS_PER_FAN} connections of this fan; this was the oldest`);
    }
  }

  /** The fan's open sockets. */
  of(fanId: string): WebSocket[] {
    return this.ctx.getWebSockets(fanId).filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  fanOf(ws: WebSocket): string | undefined {
    return attachment(ws)?.fanId;
  }

  /**
   * A message from a socket: its text, when the socket may send it; otherwise the socket is closed
   * with the code that says why (binary, too big, too many) and the answer is undefined.
   */
  receive(ws: WebSocket, message: string | ArrayBuffer): string | undefined {
    if (typeof message !== "string") return close(ws, CLOSE.UNSUPPORTED_DATA, "text messages only");
    if (new TextEncoder().encode(message).byteLength > MAX_CLIENT_MESSAGE_BYTES) {
      return close(ws, CLOSE.TOO_BIG, "message too big");
    }
    const a = attachment(ws);
    if (!a) return close(ws, CLOSE.POLICY, "unknown socket");
    const now = this.now();
    const fresh = now - a.window >= CLIENT_MESSAGE_LIMIT.windowMs;
    const counted = { ...a, window: fresh ? now : a.window, sent: (fresh ? 0 : a.sent) + 1 };
    ws.serializeAttachment(counted);
    if (counted.sent > CLIENT_MESSAGE_LIMIT.count) return close(ws, CLOSE.POLICY, "too many messages");
    return message;
  }

  /** One text to these sockets; a socket that closed under us is dropped (the fan's other tabs and polling still work). */
  send(sockets: WebSocket[], text: string): void {
    for (const ws of sockets) {
      try {
        ws.send(text);
      } catch {
        close(ws, CLOSE.GOING_AWAY, "gone");
      }
    }
  }

  /**
   * One text to every open socket of this object (a show-wide message), a slice at a time:
   * `pause` between slices lets the calls waiting on the object run, so a broadcast to thousands
   * of sockets never holds up an admission for more than one slice.
   */
  async broadcast(text: string, pause: () => Promise<void>): Promise<void> {
    const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
    for (let from = 0; from < open.length; from += BROADCAST_SLICE) {
      if (from > 0) await pause();
      this.send(open.slice(from, from + BROADCAST_SLICE), text);
    }
  }

  /** The client closed: close our side too. */
  closed(ws: WebSocket, code: number): void {
    // 1005 and 1006 are reserved: they describe a close, they cannot be sent.
    close(ws, code === 1005 || code === 1006 ? CLOSE.NORMAL : code, "bye");
  }
}

function attachment(ws: WebSocket): Attachment | undefined {
  return (ws.deserializeAttachment() as Attachment | null) ?? undefined;
}

function close(ws: WebSocket, code: number, reason: string): undefined {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
  return undefined;
}
