// The code hash lives in core/ (core/code-hash.ts, core/task-code-hash.ts). This path stays only
// because runtime/ still imports it (runtime/worker/code-check.ts); delete it once that import
// names core/index.ts.
export { CodeHashError, taskCodeHash, taskVersion } from "../core/index.ts";
export type { CodeHashErrorCode } from "../core/index.ts";
