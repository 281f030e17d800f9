/**
 * What a show's objects (its coordinator and its lanes) keep alike in their own SQLite: the rows
 * of a query, and the show's rules in a `meta` table. The object's tables (`schema`, which must
 * create `meta`) are made only when a real show's rules are saved, so an object asked about a show
 * that does not exist keeps no storage; the rules are cached in memory, since a show's rules never
 * change once it exists and every call reads them.
 */
import type { ShowConfig } from "../show/types";

export type Row = Record<string, SqlStorageValue>;

export class ShowSql {
  protected readonly sql: SqlStorage;
  private cachedConfig: ShowConfig | undefined;

  constructor(
    protected readonly storage: DurableObjectStorage,
    private readonly schema: readonly string[],
  ) {
    this.sql = storage.sql;
  }

  protected rows(query: string, ...params: SqlStorageValue[]): Row[] {
    return this.sql.exec<Row>(query, ...params).toArray();
  }

  protected one(query: string, ...params: SqlStorageValue[]): Row | undefined {
    return this.rows(query, ...params)[0];
  }

  config(): ShowConfig | undefined {
    if (!this.cachedConfig && this.hasTables()) {
      const r = this.one("SELECT value FROM meta WHERE key = 'show'");
      this.cachedConfig = r ? (JSON.parse(String(r.value)) as ShowConfig) : undefined;
    }
    return this.cachedConfig;
  }

  /** The show's rules, as D1 gave them: the object's tables are created with them. */
  saveConfig(config: ShowConfig): void {
    this.storage.transactionSync(() => {
      for (const statements of this.schema) this.sql.exec(statements);
      this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('show', ?)", JSON.stringify(config));
    });
    this.cachedConfig = config;
  }

  protected hasTables(): boolean {
    return this.one("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'meta'") !== undefined;
  }
}
