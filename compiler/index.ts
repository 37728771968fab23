// The compiler's public face. For users: `compileProject` (what `weir compile` runs), `emitSpecs`,
// `addCompileCommand`, `formatHuman` (diagnostics as `weir compile` prints them). Re-exported from
// core/ for earlier callers: `taskCodeHash` / `taskVersion` (TypeScript parser only, no ts-morph)
// and the diagnostics table. Everything else is internal.
export { compileLoaded, compileProject } from "./compile.ts";
export type { CompileResult, CompileSettings } from "./compile.ts";
export { emitSpecs, specFileBase, specJson } from "./emit.ts";
export { CodeHashError, taskCodeHash, taskVersion } from "../core/index.ts";
export type { CodeHashErrorCode } from "../core/index.ts";
export { loadProject } from "./project.ts";
export type { LoadedProject, LoadResult } from "./project.ts";
export { COMPILE_DEFAULTS, COMPILER_VERSION } from "./options.ts";
export type { CompileOptions, OutputFormat } from "./options.ts";
export { watchProject } from "./watch.ts";
export type { WatchHandle, WatchOptions } from "./watch.ts";
export { addCompileCommand } from "./cli.ts";
export { formatHuman } from "./format/index.ts";
export type { HumanFormatOptions } from "./format/index.ts";
export { Diagnostics, diagnostic, hasErrors } from "../core/index.ts";
export type { Diagnostic } from "../core/index.ts";
export { openEditorSession } from "./editor-session.ts";
export type { EditorSession } from "./editor-session.ts";
