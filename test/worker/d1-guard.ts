/**
 * A lint for D1 statements whose bound parameters grow with the input: D1 refuses a statement with
 * more than 100 of them, so a list of sectors, shows or ids bound one parameter per element works
 * in a small test and fails (`D1_ERROR: too many SQL variables`) at the sizes the contract allows.
 * It reads the source text; test/worker/d1-limits.test.ts runs it over the Worker's code.
 */

export interface Finding {
  file: string;
  line: number;
  rule: string;
  text: string;
}

interface Rule {
  name: string;
  /** Matches a construct; `allowed` may clear a match in its context. */
  pattern: RegExp;
  allowed?: (match: RegExpExecArray, source: string) => boolean;
}

/** The parameters of `insertGroups(rows, n).map((group) => …)` callbacks: bounded groups of rows. */
function groupParameters(source: string): Set<string> {
  return new Set([...source.matchAll(/insertGroups\([^;]*?\)\s*\.map\(\(\s*(\w+)\s*\)\s*=>/g)].map((m) => m[1] ?? ""));
}

const RULES: Rule[] = [
  {
    name: "drizzle's inArray/notInArray binds one parameter per element (use inIds() or a join)",
    // A list written out in the code (a few statuses) binds what it says, whatever the input.
    pattern: /\b(?:not)?[iI]nArray\s*\([^,()]+,(?!\s*\[\s*"[^\]]*\])/g,
  },
  {
    name: "sql.join builds a list of parameters as long as its input",
    pattern: /\bsql\.join\s*\(/g,
  },
  {
    name: "a spread into bind() binds as many parameters as the list has elements",
    pattern: /\.bind\(\s*\.\.\.(?!fillPlaceholders\()(\w*)/g,
    // A wrapper of a D1 statement (src/db/counting-d1.ts) forwarding its own `bind`'s arguments
    // binds what its caller binds.
    allowed: (m, source) => {
      const start = source.lastIndexOf("\n", m.index) + 1;
      const end = source.indexOf("\n", m.index);
      const line = source.slice(start, end === -1 ? undefined : end);
      return m[1] !== "" && new RegExp(`\\bbind:\\s*\\(\\.\\.\\.${m[1]}\\b`).test(line);
    },
  },
  {
    name: "a placeholder per element of a list",
    pattern: /\.map\(\s*\(\s*\w*\s*\)\s*=>\s*["'`]\?\d*["'`]\s*\)/g,
  },
  {
    name: "SQL text built from input: its parameters can grow with it",
    pattern: /\.prepare\(\s*`[^`]*\$\{/g,
  },
  {
    name: "a multi-row insert must go through insertGroups()",
    pattern: /\.insert\(\s*\w+\s*\)\s*\.values\(\s*(?!\{)(\w*)/g,
    allowed: (m, source) =>
      m[1] !== undefined &&
      groupParameters(source).has(m[1]) &&
      /^\w+\s*\)/.test(source.slice(m.index + m[0].length - m[1].length)),
  },
];

/** Every construct in `source` that binds parameters in proportion to its input. */
export function growingStatements(file: string, source: string): Finding[] {
  const findings: Finding[] = [];
  for (const rule of RULES) {
    for (const m of source.matchAll(rule.pattern)) {
      if (rule.allowed?.(m, source)) continue;
      const line = source.slice(0, m.index).split("\n").length;
      findings.push({ file, line, rule: rule.name, text: source.split("\n")[line - 1]?.trim() ?? "" });
    }
  }
  return findings;
}
