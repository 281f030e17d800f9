/** A fan's WebSocket from Node (built-in WebSocket), recording every state message (the show-wide `availability` ones apart). */
export interface StateMsg {
  type: "state";
  status: string;
  position?: number;
  ticket?: { id: string };
  expiresAt?: string;
  booked: { id: string }[];
}

export interface AvailabilityMsg {
  type: "availability";
  classes: { sector: string; meia: boolean; available: number; inProgress: number }[];
}

export interface LiveSocket {
  messages: StateMsg[];
  availability: AvailabilityMsg[];
  next(test: (m: StateMsg) => boolean, timeoutMs?: number): Promise<StateMsg>;
  close(): void;
  closed: Promise<number>;
}

export function openLive(base: string, showId: string, token: string): Promise<LiveSocket> {
  const url = `${base.replace(/^http/, "ws")}/${showId}/ingresso/ws?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  const messages: StateMsg[] = [];
  const availability: AvailabilityMsg[] = [];
  const waiters = new Set<{ test: (m: StateMsg) => boolean; resolve: (m: StateMsg) => void }>();
  ws.addEventListener("message", (e) => {
    if (e.data === "pong") return;
    const m = JSON.parse(String(e.data)) as StateMsg | AvailabilityMsg;
    if (m.type === "availability") {
      availability.push(m);
      return;
    }
    messages.push(m);
    for (const w of waiters) {
      if (w.test(m)) {
        waiters.delete(w);
        w.resolve(m);
      }
    }
  });
  const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
  return new Promise((resolve, reject) => {
    ws.addEventListener("error", () => reject(new Error(`WebSocket to ${url} failed`)), { once: true });
    ws.addEventListener(
      "open",
      () =>
        resolve({
          messages,
          availability,
          closed,
          close: () => ws.close(1000),
          next: (test, timeoutMs = 10_000) =>
            new Promise((res, rej) => {
              const seen = messages.find(test);
              if (seen) return res(seen);
              const timer = setTimeout(
                () => rej(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`)),
                timeoutMs,
              );
              waiters.add({
                test,
                resolve: (m) => {
                  clearTimeout(timer);
                  res(m);
                },
              });
            }),
        }),
      { once: true },
    );
  });
}
