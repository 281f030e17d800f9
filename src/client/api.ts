/** Same-origin JSON calls; the session cookie authenticates. Errors keep the contract's code. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The server's `Retry-After` (seconds), on a 429 or 503. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ApiFailure";
  }

  /** The server asked to come back later (429 RATE_LIMITED, 503 UNAVAILABLE). */
  get busy(): boolean {
    return this.status === 429 || this.status === 503;
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, "NETWORK", "network unreachable");
  }
  const json = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  if (!res.ok) {
    const retryAfter = Number(res.headers.get("retry-after"));
    throw new ApiFailure(
      res.status,
      json?.error?.code ?? "INTERNAL",
      json?.error?.message ?? res.statusText,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
  return json as T;
}
