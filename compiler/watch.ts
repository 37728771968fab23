// `weir compile --watch`: keeps one ts-morph project alive, refreshes only the files that changed
// and recompiles with a CompileState (a tsc builder program and the extraction cache), so a one-line
// edit re-checks only the files it affects and re-reads only the tasks and workflows it can reach.
import { existsSync, watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import path from "node:path";
import { compileLoaded, createCompileState } from "./compile.ts";
import type { CompileResult, CompileSettings } from "./compile.ts";
import { isProjectFile, loadProject } from "./project.ts";
import type { LoadedProject } from "./project.ts";

export interface WatchOptions {
  /** Called after the first compile and after every recompile. */
  onResult(result: CompileResult, elapsedMs: number): void;
  /** Quiet time after the last file event before recompiling. */
  debounceMs?: number;
  settings?: Partial<CompileSettings>;
}

export interface WatchHandle {
  readonly loaded: LoadedProject;
  /** Refreshes `files` (absolute paths) from disk and recompiles; what the file watcher calls. */
  recompile(files: readonly string[]): CompileResult;
  close(): void;
}

const WATCH_DEFAULTS = Object.freeze({ debounceMs: 30 });

/** Starts watching; returns undefined with a config-error result when the project cannot be loaded. */
export function watchProject(target: string, options: WatchOptions): WatchHandle | CompileResult {
  const load = loadProject(target);
  if (!load.ok) return { specs: [], diagnostics: [load.diagnostic], configError: true };
  const loaded = load.loaded;
  const debounceMs = options.debounceMs ?? WATCH_DEFAULTS.debounceMs;
  const state = createCompileState(loaded.root);

  const recompile = (files: readonly string[]): CompileResult => {
    for (const file of files) refresh(loaded, file);
    return compileLoaded(loaded, options.settings, state);
  };
  const timed = (files: readonly string[]) => {
    const started = performance.now();
    const result = recompile(files);
    options.onResult(result, performance.now() - started);
  };

  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(loaded.root, { recursive: true }, (_event, name) => {
    if (!name) return;
    const file = path.join(loaded.root, name.toString());
    if (!/\.(ts|tsx|mts)$/.test(file) || !isProjectFile(loaded.root, file)) return;
    pending.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...pending];
      pending.clear();
      timed(files);
    }, debounceMs);
  });
  timed([]);
  return {
    loaded,
    recompile,
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}

function refresh(loaded: LoadedProject, file: string): void {
  const existing = loaded.project.getSourceFile(file);
  if (!existsSync(file)) {
    if (existing) loaded.project.removeSourceFile(existing);
    return;
  }
  if (existing) existing.refreshFromFileSystemSync();
  else loaded.project.addSourceFileAtPath(file);
}
