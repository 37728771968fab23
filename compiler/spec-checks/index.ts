// The spec checks live in core/ (core/spec-checks/). This path stays only because runtime/ still
// imports it (runtime/server/admin-service.ts); delete it once that import names core/index.ts.
export { checkCompiledWorkflow, closest, didYouMean, isTimeZone, levenshtein, literalMismatch, SpecLimits } from "../../core/index.ts";
