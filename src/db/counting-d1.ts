/**
 * A D1 binding that counts the statements sent through it (a batch counts each of its statements):
 * how the tests assert what a path costs D1, and how the benchmark (BENCH_ROUTES, src/routes/bench.ts)
 * prints it. Nothing else uses it.
 */
export function countingD1(real: D1Database): { d1: D1Database; count: () => number } {
  let n = 0;
  const meta = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const counted = async <T>(call: () => Promise<T>) => {
      n += 1;
      return call();
    };
    const wrapped = {
      bind: (...values: unknown[]) => wrap(stmt.bind(...values)),
      first: (column?: string) => counted(() => (column ? stmt.first(column) : stmt.first())),
      run: () => counted(() => stmt.run()),
      all: () => counted(() => stmt.all()),
      raw: (options?: { columnNames?: boolean }) =>
        counted(() => (options?.columnNames ? stmt.raw({ columnNames: true }) : stmt.raw())),
    };
    meta.set(wrapped, stmt);
    return wrapped as unknown as D1PreparedStatement;
  };
  const d1 = {
    prepare: (sql: string) => wrap(real.prepare(sql)),
    batch: <T>(statements: D1PreparedStatement[]) => {
      n += statements.length;
      return real.batch<T>(statements.map((s) => meta.get(s) ?? s));
    },
    exec: (query: string) => {
      n += 1;
      return real.exec(query);
    },
    dump: () => real.dump(),
    withSession: () => real.withSession(),
  };
  return { d1: d1 as unknown as D1Database, count: () => n };
}
