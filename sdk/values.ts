// `weir/values`: value plumbing, for the worker, the server and the CLI (and any other client that
// moves values), not for pipeline authors (they import `weir`, index.ts): JavaScript values to and
// from protocol literals, their content hashes, their checks against a declared type, Arrow tables
// observed as dataframe types, and CSV to and from Arrow tables of a declared schema.

// Literals: values in and out, parsed from text, and where their files and tables are stored.
export { fromLiteral, parseInputLiteral, toLiteral } from "./literals.ts";
export type { ArtifactReader, ArtifactWriter, StoredArtifact } from "./literals.ts";
export { parseInputValue } from "./literal-parse.ts";
export { LiteralError } from "./literal-error.ts";
export type { LiteralErrorCode } from "./literal-error.ts";

// Identity: a literal's content hash (the runtime recomputes every one: rehashLiteral).
export { hashLiteral, rehashLiteral } from "./literal-hash.ts";

// Checks: a value, a literal or a table against its declared type, and how each reads in a message.
export { describeLiteral, describeType, describeValue, isIsoDate, validateLiteral, validateTable, validateValue } from "./validate.ts";

// Arrow: a table's observed dataframe type, and protocol Arrow types to and from apache-arrow's.
export { arrowTypeToProto, dataFrameTypeFromSchema, observeTable, protoToArrowType } from "./literal-arrow.ts";
export type { ObservedTable } from "./literal-arrow.ts";

// CSV: a command task's tables and `weir run --input name=@x.csv`.
export { csvToTable, tableToCsv } from "./csv-table.ts";
