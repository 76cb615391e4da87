/**
 * Which fields the queries read, so only those are loaded into DuckDB: filling a column costs about as much as
 * reading it, and `GROUP BY region` over four fields needs two. Worked out from DuckDB's own syntax tree of each
 * query (json_serialize_sql), erring towards loading: every field is loaded when a query has a star (`*`,
 * `t.*`, `COLUMNS(...)`) or a one-part column reference that is not a field (a whole-row reference such as
 * `SELECT f FROM FLOWFILE f`, or a name we cannot place); otherwise a field is loaded when its name appears
 * anywhere in the tree (a column, a USING list, even a string literal). DuckDB matches names case-insensitively,
 * and so does this. Should a pruned table still fail a query, QueryRecord reloads every field and runs again.
 */

export interface ColumnNeeds {
  /** A star: every field. */
  star: boolean;
  /** Every string in the tree, lower-cased. */
  words: Set<string>;
  /** One-part column references, lower-cased. */
  bareRefs: Set<string>;
}

/** What one query's syntax tree says it reads. */
export function needsOf(ast: unknown): ColumnNeeds {
  const needs: ColumnNeeds = { star: false, words: new Set(), bareRefs: new Set() };
  const walk = (node: unknown): void => {
    if (typeof node === 'string') needs.words.add(node.toLowerCase());
    else if (Array.isArray(node)) for (const item of node) walk(item);
    else if (node !== null && typeof node === 'object') {
      const n = node as { class?: unknown; column_names?: unknown };
      if (n.class === 'STAR') needs.star = true;
      if (n.class === 'COLUMN_REF' && Array.isArray(n.column_names) && n.column_names.length === 1)
        needs.bareRefs.add(String(n.column_names[0]).toLowerCase());
      for (const value of Object.values(node)) walk(value);
    }
  };
  walk(ast);
  return needs;
}

/** The fields of `fields` that some query may read (in their order), or all of them. */
export function neededFields<F extends { name: string }>(fields: readonly F[], queries: readonly ColumnNeeds[]): F[] {
  const names = new Set(fields.map((f) => f.name.toLowerCase()));
  for (const q of queries) {
    if (q.star) return [...fields];
    for (const ref of q.bareRefs) if (!names.has(ref)) return [...fields];
  }
  return fields.filter((f) => queries.some((q) => q.words.has(f.name.toLowerCase())));
}
