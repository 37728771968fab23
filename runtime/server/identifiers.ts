// The one rule for ids and names a client sends: execution, backfill and worker ids, workflow, task
// and subworkflow names and versions, node ids, pools, input and output names. They become SQLite
// keys, log fields and, on a worker, directory and file names, so they are short and plain:
// letters, digits and `. _ - : @ + [ ]` (what the runtime's own ids use: `<workflow>-<tick ISO>`,
// `sub.inner`, `map[3]`), at most 256 bytes, and never `.` or `..` (a path segment).
import { RuntimeError } from "../error-codes.ts";
import { quoted } from "./client-text.ts";

export const IDENTIFIER_RULES = Object.freeze({
  maxBytes: 256,
  pattern: /^[A-Za-z0-9._:@+\-[\]]+$/,
  /** How a message names the allowed characters. */
  characters: "letters, digits and . _ - : @ + [ ]",
});

/** Why `value` is not a valid id or name, or undefined when it is. Empty strings are the caller's business (absent). */
export function identifierProblem(what: string, value: string): string | undefined {
  if (value === "") return undefined;
  // Length first: a huge value is refused without scanning it.
  if (value.length > IDENTIFIER_RULES.maxBytes || Buffer.byteLength(value) > IDENTIFIER_RULES.maxBytes) {
    return `${what} '${quoted(value)}' is longer than ${IDENTIFIER_RULES.maxBytes} bytes; ids and names are at most ${IDENTIFIER_RULES.maxBytes} bytes of ${IDENTIFIER_RULES.characters}`;
  }
  if (!IDENTIFIER_RULES.pattern.test(value)) {
    return `${what} '${quoted(value)}' has characters ids and names may not use; use only ${IDENTIFIER_RULES.characters}`;
  }
  if (value === "." || value === "..") return `${what} may not be '${value}' (a path segment); use a name of ${IDENTIFIER_RULES.characters}`;
  return undefined;
}

/** Throws INVALID_ARGUMENT for the first of `ids` that breaks the rule. */
export function checkIdentifiers(ids: Iterable<readonly [what: string, value: string]>): void {
  for (const [what, value] of ids) {
    const problem = identifierProblem(what, value);
    if (problem) throw new RuntimeError("INVALID_ARGUMENT", problem);
  }
}
