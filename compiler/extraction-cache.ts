// What the watch loop keeps between recompiles: each task's template and each workflow's extracted
// graph, keyed by the versions of the project files it was read from (its module and every project
// module that module imports, transitively), so a one-line edit re-reads only what it can reach.
import { zodSchemaDigest } from "./zod-schema-text.ts";
import type { ts } from "ts-morph";
import type { TaskTemplate, WorkflowTemplate } from "../proto/index.ts";
import type { Diagnostic } from "../core/index.ts";
import type { DefinitionKind } from "./discover.ts";
import type { BodyCascade } from "./extract/workflow-body.ts";
import { isProjectFile } from "./project.ts";

export interface CachedTask {
  readonly fingerprint: string;
  readonly template: TaskTemplate | undefined;
  /** Everything `task()` reported while building it, in order. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface CachedWorkflow {
  readonly fingerprint: string;
  template: WorkflowTemplate;
  /** Reported before the body was read (name, interface, settings). */
  readonly before: readonly Diagnostic[];
  /** The tasks and workflows the body used, in the order it used them. */
  readonly used: ReadonlyArray<{ readonly key: string; readonly kind: DefinitionKind; readonly name: string | undefined }>;
  /** Reported by the body extractor (after the used definitions). */
  readonly body: readonly Diagnostic[];
  /** The variables the body left unbound because of an error it reported (see workflow-body.ts). */
  readonly cascades: readonly BodyCascade[];
  /** The workflow's version and the templates it was computed over (compared by identity). */
  version?: { readonly value: string; readonly over: readonly object[] };
  /** The spec checks' findings on the assembled spec, over the same templates. */
  checks?: { readonly found: readonly Diagnostic[]; readonly over: readonly object[] };
}

export class ExtractionCache {
  readonly tasks = new Map<string, CachedTask>();
  readonly workflows = new Map<string, CachedWorkflow>();
}

/** The identity of a definition across recompiles. */
export function definitionKey(module: string, localName: string): string {
  return `${module}#${localName}`;
}

// Internal to TypeScript (present since 5.3), how its own builder walks a file's imports.
type InternalProgram = ts.Program & {
  getResolvedModuleFromModuleSpecifier(specifier: ts.StringLiteralLike, file: ts.SourceFile): { resolvedModule?: { resolvedFileName: string } } | undefined;
};

/** Versions of a project file and the project files it imports, transitively (memoised per program). */
export class Fingerprints {
  private readonly memo = new Map<string, string>();
  private readonly byName = new Map<string, ts.SourceFile>();

  /**
   * `signatureOf` (the tsc builder's, when it has one): an imported file whose declaration output
   * did not change shows its importers the same types, so it counts by signature, not version.
   */
  constructor(
    private readonly program: ts.Program,
    root: string,
    private readonly signatureOf: (file: ts.SourceFile) => string | undefined = () => undefined,
  ) {
    for (const file of program.getSourceFiles()) if (isProjectFile(root, file.fileName)) this.byName.set(file.fileName, file);
  }

  of(fileName: string): string {
    const known = this.memo.get(fileName);
    if (known !== undefined) return known;
    const seen = new Set<string>();
    const stack = [fileName];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const file = this.byName.get(name);
      if (!file) continue;
      // `imports` holds every module specifier the file uses (imports, re-exports, import types).
      for (const specifier of (file as ts.SourceFile & { imports?: readonly ts.StringLiteralLike[] }).imports ?? []) {
        const target = (this.program as InternalProgram).getResolvedModuleFromModuleSpecifier(specifier, file)?.resolvedModule?.resolvedFileName;
        if (target && this.byName.has(target) && !seen.has(target)) stack.push(target);
      }
    }
    const version = (name: string) => {
      const file = this.byName.get(name) as (ts.SourceFile & { version?: string }) | undefined;
      if (!file) return "?";
      if (name === fileName) return `v${file.version ?? "?"}`;
      // What importers see: the file's types, and its zod schemas' source (read for `.int()`).
      const signature = this.signatureOf(file);
      return signature === undefined ? `v${file.version ?? "?"}` : `${signature}~${zodSchemaDigest(file)}`;
    };
    const print = [...seen]
      .sort()
      .map((name) => `${name}@${version(name)}`)
      .join("|");
    this.memo.set(fileName, print);
    return print;
  }
}
