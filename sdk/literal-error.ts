// The error a value conversion throws: a code plus one message per problem found.
export type LiteralErrorCode = "VALUE_INVALID" | "LITERAL_INVALID" | "INPUT_UNPARSABLE";

/** A value that does not fit its declared type. `problems` holds one message per problem. */
export class LiteralError extends Error {
  readonly code: LiteralErrorCode;
  readonly problems: readonly string[];
  constructor(code: LiteralErrorCode, problems: string[]) {
    super(problems.join("; "));
    this.name = "LiteralError";
    this.code = code;
    this.problems = problems;
  }
}
