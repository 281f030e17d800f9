/**
 * A D1 binding that behaves like the real one until the test says otherwise. The show object is
 * given `faultyD1(env.DB, plan)` through its seam (`injectD1` in ./inject.ts); the plan sees every
 * call, named by what it does to the tickets, before it reaches D1 and after D1 answered:
 *
 * - throw in `before`: the call fails and D1 is untouched (D1 down, a timeout before sending);
 * - throw in `after`: D1 committed but the object never learns it (the answer was lost);
 * - `ctx.abort()` in `after`: the object dies between the D1 write and its own storage write;
 * - await something in either: a slow D1, so that other calls reach the object meanwhile.
 */
export type D1Op =
  /** Admission: tickets set IN_PROGRESS. */
  | "claim"
  /** Cancel or expiry: tickets set AVAILABLE. */
  | "release"
  /** Booking: a ticket set BOOKED. */
  | "book"
  /** Any other write (payments, users, ...). */
  | "write"
  | "read";

export interface FaultPlan {
  before?(op: D1Op): void | Promise<void>;
  after?(op: D1Op): void | Promise<void>;
}

/** What a statement does, from its SQL with the bound parameters put in place. */
export function classify(sql: string, params: unknown[]): D1Op {
  let i = 0;
  const rendered = sql.replace(/\?\d*/g, () => JSON.stringify(params[i++] ?? null));
  const ticketUpdate =
    /^\s*update\s+"?tickets"?\s+set\s+.*?"?status"?\s*=\s*["']?(AVAILABLE|IN_PROGRESS|BOOKED)/is.exec(rendered);
  if (ticketUpdate)
    return ({ AVAILABLE: "release", IN_PROGRESS: "claim", BOOKED: "book" } as const)[
      ticketUpdate[1] as "AVAILABLE" | "IN_PROGRESS" | "BOOKED"
    ];
  return /^\s*(select|with\s+(?!.*\b(insert|update|delete)\b))/is.test(rendered) ? "read" : "write";
}

const meta = new WeakMap<object, { real: D1PreparedStatement; op: D1Op }>();

async function guarded<T>(plan: FaultPlan, op: D1Op, call: () => Promise<T>): Promise<T> {
  await plan.before?.(op);
  const result = await call();
  await plan.after?.(op);
  return result;
}

function wrapStatement(
  real: D1PreparedStatement,
  sql: string,
  params: unknown[],
  plan: FaultPlan,
): D1PreparedStatement {
  const op = classify(sql, params);
  const wrapped = {
    bind: (...values: unknown[]) => wrapStatement(real.bind(...values), sql, values, plan),
    first: (column?: string) => guarded(plan, op, () => (column ? real.first(column) : real.first())),
    run: () => guarded(plan, op, () => real.run()),
    all: () => guarded(plan, op, () => real.all()),
    raw: (options?: { columnNames?: boolean }) =>
      guarded(plan, op, () => (options?.columnNames ? real.raw({ columnNames: true }) : real.raw())),
  };
  meta.set(wrapped, { real, op });
  return wrapped as unknown as D1PreparedStatement;
}

export function faultyD1(real: D1Database, plan: FaultPlan): D1Database {
  const db = {
    prepare: (sql: string) => wrapStatement(real.prepare(sql), sql, [], plan),
    batch: async <T>(statements: D1PreparedStatement[]) => {
      const unwrapped = statements.map((s) => meta.get(s) ?? { real: s, op: "write" as const });
      // A batch is one transaction; it is named after its first statement (the ticket update).
      const op = unwrapped[0]?.op ?? "write";
      return guarded(plan, op, () => real.batch<T>(unwrapped.map((u) => u.real)));
    },
    exec: (query: string) => guarded(plan, "write", () => real.exec(query)),
    dump: () => real.dump(),
    withSession: () => {
      throw new Error("faultyD1: sessions are not used by the show object");
    },
  };
  return db as unknown as D1Database;
}
