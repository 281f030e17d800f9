/** A fan's live socket in workerd tests, through the Worker's own fetch, with what it received. */
import { exports } from "cloudflare:workers";
import type { AvailabilityMessage, ServerMessage, StateMessage } from "../../src/messages";
import type { TestFan } from "./helpers";

/** Waits for the first message of a list (received or to come) that passes a test. */
function inbox<M>() {
  const list: M[] = [];
  const waiters: { test: (m: M) => boolean; resolve: (m: M) => void }[] = [];
  return {
    list,
    push(m: M) {
      list.push(m);
      for (const w of [...waiters]) {
        if (w.test(m)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    },
    next: (test: (m: M) => boolean, timeoutMs = 5_000) =>
      new Promise<M>((resolve, reject) => {
        const seen = list.find(test);
        if (seen) return resolve(seen);
        const timer = setTimeout(
          () => reject(new Error(`no matching message; got ${JSON.stringify(list)}`)),
          timeoutMs,
        );
        waiters.push({
          test,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      }),
  };
}

/**
 * A fan's socket with every message it received, the fan's own (`messages`, `next`) apart from the
 * show-wide availability (`availability`, `nextAvailability`), and a way to wait for one that matches.
 */
export async function connect(showId: string, fan: TestFan) {
  const res = await exports.default.fetch(`http://catraca.test/${showId}/ingresso/ws?token=${fan.token}`, {
    headers: { upgrade: "websocket" },
  });
  const ws = res.webSocket;
  if (!ws) throw new Error(`expected a WebSocket, got ${res.status} ${await res.text()}`);
  const states = inbox<StateMessage>();
  const counts = inbox<AvailabilityMessage>();
  const raw: string[] = [];
  ws.addEventListener("message", (e) => {
    const text = typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data as ArrayBuffer);
    raw.push(text);
    if (text === "pong") return;
    const m = JSON.parse(text) as ServerMessage;
    if (m.type === "state") states.push(m);
    else counts.push(m);
  });
  ws.accept();
  const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener("close", resolve));
  return {
    ws,
    messages: states.list,
    next: states.next,
    availability: counts.list,
    nextAvailability: counts.next,
    raw,
    closed,
  };
}
