// Diagnostic formatters: human (default, with code frames), JSON (stable schema), GitHub annotations.
export { formatHuman } from "./human.ts";
export type { HumanFormatOptions } from "./human.ts";
export { formatJson, toJsonReport } from "./json.ts";
export type { JsonDiagnostic, JsonReport } from "./json.ts";
export { formatGithub, escapeData, escapeProperty } from "./github.ts";
export { countDiagnostics, summaryLine } from "./summary.ts";
export type { Counts } from "./summary.ts";
