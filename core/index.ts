// weir's core: the rules of the product, on the protocol's messages alone, with no TypeScript
// parsing and no process of its own. sdk/, compiler/ and runtime/ import it; it imports none of them
// (test/core/boundary.test.ts). All of it is public to those three; none of it is user API.

// Types: the compatibility relation, the join of several types, names for messages.
export { checkAssignable, dictionaryIndex, intWidens, isAnyType, isStringable, isUncheckedEdge } from "./compatibility.ts";
export type { Incompatibility, IncompatibilityReason } from "./compatibility.ts";
export { joinTypes } from "./type-join.ts";
export { arrowTypeName, columnName, dictionaryIndexName, typeName } from "./type-names.ts";

// Diagnostics: the one table of codes.
export { Diagnostics, codeOf, compareDiagnostics, diagnostic, hasErrors } from "./diagnostics.ts";
export type { Category, Diagnostic, DiagnosticDef, SourceSpan } from "./diagnostics.ts";

// The spec: one walk over its node tree, and every check of it (the compiler's and RegisterWorkflow's).
export { walkWorkflow, workflowNodes } from "./spec-walk.ts";
export type { NodeVisit, Scope, SpecVisitor, WalkOptions } from "./spec-walk.ts";
export { checkCompiledWorkflow, closest, didYouMean, isTimeZone, levenshtein, literalMismatch, SpecLimits } from "./spec-checks/index.ts";
export { extensionOf, sensorFileType } from "./sensor-file.ts";

// Identity: a task's code hash (the algorithm, and the worker's copy over files on disk).
export { CodeHashError, computeTaskCodeHash, taskVersion } from "./task-code-hash.ts";
export type { CodeHashErrorCode, CodeHashSources, TypeScriptApi } from "./task-code-hash.ts";
export { taskCodeHash } from "./code-hash.ts";

// Resources: which GPU devices a task's gpuType takes, and how many devices it asks for.
export { gpusWanted, gpuTypeMatches } from "./gpu-type.ts";

// Durations: how weir reads one ("1h30m") and writes one ("1m30s"); memory sizes ("4Gi").
export { formatDuration, parseDuration, parseMemory } from "./duration.ts";
export { dayEnd, dayStart, zonedToUtc } from "./zoned-time.ts";
export { executionStateName, nodeStateName, parseExecutionState } from "./state-names.ts";

// Schedules: when a cron expression or a fixed rate ticks.
export { latestTick, nextTick, ScheduleError, scheduleTicks, scheduleWindow } from "./schedule-ticks.ts";
