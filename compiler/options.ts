// The compiler's defaults, in one frozen object: where specs go, how output is formatted, which files
// a bare directory contributes.
import { readFileSync } from "node:fs";

const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

export type OutputFormat = "human" | "json" | "github";

export interface CompileOptions {
  /** Where `.pb` and `.json` specs are written, relative to the project root unless absolute. */
  outDir: string;
  format: OutputFormat;
  /** Report tsc's own errors on the project's files (WEIR9001). */
  includeTscDiagnostics: boolean;
}

export const COMPILE_DEFAULTS: Readonly<CompileOptions> = Object.freeze({
  outDir: ".weir/compiled",
  format: "human",
  includeTscDiagnostics: true,
});

/** Written into every spec; the runtime may refuse specs from an incompatible compiler. */
export const COMPILER_VERSION: string = `weir-compiler/${packageJson.version}`;

/** Compiler options for a directory without a tsconfig.json (mirrors weir's own). */
export const BARE_DIRECTORY_TSCONFIG = Object.freeze({
  target: "ES2022",
  module: "preserve",
  moduleResolution: "bundler",
  allowImportingTsExtensions: true,
  noEmit: true,
  strict: true,
  skipLibCheck: true,
});

/** Folders never scanned for workflows. */
export const IGNORED_DIRECTORIES: readonly string[] = Object.freeze(["node_modules", ".weir", ".git", "dist"]);
