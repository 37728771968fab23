// TypeScript's own errors on the project's files (WEIR9001), from the raw program: only the
// project's files are checked (errors elsewhere are never reported, so checking them is wasted
// work), and in watch mode a semantic-diagnostics builder re-checks only the files a change affects.
import { ts } from "ts-morph";
import { Diagnostics, diagnostic } from "../core/index.ts";
import type { Diagnostic } from "../core/index.ts";
import { lineAndColumn } from "./location.ts";
import { isProjectFile, relativeToRoot } from "./project.ts";

/** One full check of the project's files (what `tsc --noEmit` reports on them). */
export function tscDiagnostics(program: ts.Program, root: string): Diagnostic[] {
  const files = program.getSourceFiles().filter((f) => isProjectFile(root, f.fileName));
  return convert(root, [...beforeSemantic(program, files), ...files.flatMap((f) => program.getSemanticDiagnostics(f))]);
}

/**
 * Keeps a builder program across recompiles: semantic diagnostics of files no change reached (nor a
 * change in the signature of what they import) come from its cache.
 */
export class IncrementalTscDiagnostics {
  private builder: ts.SemanticDiagnosticsBuilderProgram | undefined;

  /**
   * `semantic: false` (the editor plugin, whose host already type-checks every file) walks the
   * affected files for their signatures only, checks none, and reports no semantic errors.
   */
  constructor(
    private readonly root: string,
    private readonly options: { readonly semantic: boolean } = { semantic: true },
  ) {}

  /**
   * The builder's signature of a file (a hash of its declaration output) once it has been computed
   * for a change: equal signatures mean importers see the same types.
   */
  signatureOf(file: ts.SourceFile): string | undefined {
    const state = (this.builder as { state?: { fileInfos?: Map<string, { signature?: string }> } } | undefined)?.state;
    return state?.fileInfos?.get((file as ts.SourceFile & { resolvedPath?: string }).resolvedPath ?? file.fileName)?.signature;
  }

  diagnostics(program: ts.Program): Diagnostic[] {
    const host: ts.BuilderProgramHost = {};
    const first = this.builder === undefined;
    const builder = ts.createSemanticDiagnosticsBuilderProgram(program, host, this.builder);
    this.builder = builder;
    const outside = (f: ts.SourceFile) => !isProjectFile(this.root, f.fileName);
    const skipped = this.options.semantic ? outside : () => true;
    while (builder.getSemanticDiagnosticsOfNextAffectedFile(undefined, skipped)) {
      // each call checks one affected project file (or skips one outside the project)
    }
    const files = program.getSourceFiles().filter((f) => !outside(f));
    if (first) primeSignatures(builder, program, files);
    if (!this.options.semantic) return [];
    return convert(this.root, [...beforeSemantic(program, files), ...files.flatMap((f) => builder.getSemanticDiagnostics(f))]);
  }
}

// In the order ts.getPreEmitDiagnostics gathers them (the final sort keeps ties in this order).
function beforeSemantic(program: ts.Program, files: readonly ts.SourceFile[]): ts.Diagnostic[] {
  return [
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...files.flatMap((f) => program.getSyntacticDiagnostics(f)),
    ...program.getGlobalDiagnostics(),
  ];
}

function convert(root: string, all: readonly ts.Diagnostic[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const d of ts.sortAndDeduplicateDiagnostics(all)) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    const file = d.file;
    if (file && !isProjectFile(root, file.fileName)) continue;
    const text = typeof d.messageText === "string" ? d.messageText : ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const [first, ...rest] = text.split("\n");
    const location = file && d.start !== undefined ? { file: relativeToRoot(root, file.fileName), ...lineAndColumn(file, d.start) } : undefined;
    found.push(diagnostic(Diagnostics.TscError, [`TS${d.code}: ${first}`], location, rest.map((l) => l.trim()).filter(Boolean)));
  }
  return found;
}

interface BuilderStateInternals {
  fileInfos: Map<string, { signature?: string }>;
  oldSignatures?: Map<string, unknown>;
  hasCalledUpdateShapeSignature?: Set<string>;
}
type UpdateShapeSignature = (
  state: BuilderStateInternals,
  program: ts.Program,
  file: ts.SourceFile,
  token: undefined,
  host: ts.BuilderProgramHost,
  useFileVersionAsSignature: boolean,
) => boolean;

// A fresh builder knows no file's signature, so the first edit of any file would count as a change
// of its signature and re-check every importer (seconds on a 1,000-node workflow). Computing each
// project file's signature up front (TypeScript's own routine, internal) makes the first edit as
// cheap as the next. Without the internals (another TypeScript), only the first edit is slower.
function primeSignatures(builder: ts.SemanticDiagnosticsBuilderProgram, program: ts.Program, files: readonly ts.SourceFile[]): void {
  const state = (builder as { state?: BuilderStateInternals }).state;
  const update = (ts as unknown as { BuilderState?: { updateShapeSignature?: UpdateShapeSignature } }).BuilderState?.updateShapeSignature;
  if (!state?.fileInfos || typeof update !== "function") return;
  for (const file of files) {
    const path = (file as ts.SourceFile & { resolvedPath?: string }).resolvedPath ?? file.fileName;
    // A first builder stands in file versions for signatures; compute the declaration output's.
    state.hasCalledUpdateShapeSignature?.delete(path);
    update(state, program, file, undefined, {}, false);
    // Committed, not pending: the next builder takes these as the files' known signatures.
    state.oldSignatures?.delete(path);
    state.hasCalledUpdateShapeSignature?.delete(path);
  }
}
