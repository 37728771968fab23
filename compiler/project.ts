// Loads the user's TypeScript project with ts-morph: from a tsconfig.json, or a bare directory with
// weir's default compiler options. Nothing here imports or runs user code.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { Project, ts } from "ts-morph";
import type { SourceFile } from "ts-morph";
import { Diagnostics, diagnostic } from "../core/index.ts";
import type { Diagnostic } from "../core/index.ts";
import { BARE_DIRECTORY_TSCONFIG, IGNORED_DIRECTORIES } from "./options.ts";

export interface LoadedProject {
  readonly project: Project;
  /** Absolute directory every spec path is relative to (the tsconfig's folder). */
  readonly root: string;
  readonly tsconfigPath?: string;
}

export type LoadResult = { ok: true; loaded: LoadedProject } | { ok: false; diagnostic: Diagnostic };

/** `target` is a directory (its tsconfig.json is used when present) or a tsconfig file. */
export function loadProject(target: string): LoadResult {
  const absolute = path.resolve(target);
  if (!existsSync(absolute)) {
    return fail(`'${target}' does not exist`, "pass a project directory or its tsconfig.json");
  }
  if (statSync(absolute).isFile()) {
    if (!absolute.endsWith(".json")) {
      return fail(`'${target}' is not a directory or a tsconfig.json`, "pass a project directory or its tsconfig.json");
    }
    return fromTsconfig(absolute);
  }
  const tsconfig = path.join(absolute, "tsconfig.json");
  if (existsSync(tsconfig)) return fromTsconfig(tsconfig);
  return fromBareDirectory(absolute);
}

/** The project's own source files: under the root, not declarations, not dependencies. */
export function projectSourceFiles(loaded: LoadedProject): SourceFile[] {
  return loaded.project
    .getSourceFiles()
    .filter((f) => isProjectFile(loaded.root, f.getFilePath()))
    .sort((a, b) => (a.getFilePath() < b.getFilePath() ? -1 : 1));
}

export function isProjectFile(root: string, filePath: string): boolean {
  if (filePath.endsWith(".d.ts")) return false;
  const rel = path.relative(root, filePath);
  if (rel.startsWith("..") || path.isAbsolute(rel)) return false;
  return !rel.split(path.sep).some((part) => IGNORED_DIRECTORIES.includes(part));
}

const relativePaths = new Map<string, string>();

/** A path relative to the project root with forward slashes, as specs store them. */
export function relativeToRoot(root: string, filePath: string): string {
  // Asked for every node a location is taken of: once per pair of absolute paths is enough.
  const key = `${root}\0${filePath}`;
  let relative = relativePaths.get(key);
  if (relative === undefined) {
    relative = path.relative(root, filePath).split(path.sep).join("/");
    if (path.isAbsolute(root) && path.isAbsolute(filePath)) relativePaths.set(key, relative);
  }
  return relative;
}

function fromTsconfig(tsconfigPath: string): LoadResult {
  const read = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
  if (read.error) {
    return fail(`cannot read ${path.basename(tsconfigPath)}: ${ts.flattenDiagnosticMessageText(read.error.messageText, " ")}`, "fix the JSON of the tsconfig");
  }
  try {
    const project = new Project({ tsConfigFilePath: tsconfigPath });
    return { ok: true, loaded: { project, root: path.dirname(tsconfigPath), tsconfigPath } };
  } catch (error) {
    return fail(`cannot load ${tsconfigPath}: ${(error as Error).message}`, "fix the tsconfig");
  }
}

function fromBareDirectory(dir: string): LoadResult {
  const { options, errors } = ts.convertCompilerOptionsFromJson(BARE_DIRECTORY_TSCONFIG, dir);
  if (errors.length > 0) return fail("weir's default compiler options are invalid", "report this as a weir bug");
  const project = new Project({ compilerOptions: options });
  const ignored = IGNORED_DIRECTORIES.map((d) => `!${dir}/**/${d}/**`);
  project.addSourceFilesAtPaths([`${dir}/**/*.ts`, `${dir}/**/*.tsx`, ...ignored]);
  project.resolveSourceFileDependencies();
  return { ok: true, loaded: { project, root: dir } };
}

function fail(what: string, todo: string): LoadResult {
  return { ok: false, diagnostic: diagnostic(Diagnostics.ConfigurationError, [`${what}; ${todo}`]) };
}
