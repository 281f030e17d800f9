/**
 * D1 binds at most 100 parameters per statement, whatever the input. Statements here bind a fixed
 * number of them: rows are inserted a bounded number per statement, and a list of ids is one
 * parameter (a JSON array read by `json_each`), never one parameter per id.
 * test/worker/d1-limits.test.ts checks the code for statements that do otherwise.
 */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

export const D1_MAX_BOUND_PARAMETERS = 100;

/** `rows` in groups small enough that a multi-row insert of `paramsPerRow` values each stays under D1's limit. */
export function insertGroups<T>(rows: T[], paramsPerRow: number): T[][] {
  const size = Math.floor(D1_MAX_BOUND_PARAMETERS / paramsPerRow);
  const groups: T[][] = [];
  for (let i = 0; i < rows.length; i += size) groups.push(rows.slice(i, i + size));
  return groups;
}

/** `column IN (the ids)`, binding one parameter however many ids there are. */
export function inIds(column: SQLWrapper, ids: string[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}
