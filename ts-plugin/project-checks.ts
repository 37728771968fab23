// weir's checks for one configured tsserver project, run on tsserver's own program: the one its
// language service has just updated for the editor's texts (open buffers included) and type-checked.
// A new program means an edit, so each program is checked once however many files' diagnostics the
// editor then asks for; the compiler session re-reads only what the edit can reach.
import path from "node:path";
import type ts from "typescript";
import { openEditorSession } from "../compiler/index.ts";
import type { Diagnostic, EditorSession } from "../compiler/index.ts";

export interface CheckedProject {
  /** weir's findings on `file` (absolute), as the compiler reports them. */
  diagnosticsOf(file: string): readonly Diagnostic[];
}

export class ProjectChecks {
  private readonly session: EditorSession;
  private checked: ts.Program | undefined;
  private byFile = new Map<string, Diagnostic[]>();

  /** `typescriptVersion`: the `ts.version` of the TypeScript tsserver runs (its programs' release). */
  constructor(
    private readonly languageService: ts.LanguageService,
    private readonly tsconfig: string,
    typescriptVersion: string,
    private readonly log: (message: string) => void,
  ) {
    this.session = openEditorSession(tsconfig, typescriptVersion);
  }

  /** The findings on the language service's current program (checked now if it is new). */
  current(): CheckedProject {
    const program = this.languageService.getProgram();
    if (program && program !== this.checked) this.recheck(program);
    return { diagnosticsOf: (file) => this.byFile.get(path.resolve(file)) ?? [] };
  }

  private recheck(program: ts.Program): void {
    const started = performance.now();
    const cpu = process.cpuUsage();
    // Recorded first: a program whose check throws is not retried on every request.
    this.checked = program;
    this.byFile = new Map();
    // Declared by two copies of TypeScript (tsserver's and ts-morph's); the session reads the program
    // as the release it is.
    const result = this.session.check(program as unknown as Parameters<EditorSession["check"]>[0]);
    for (const d of result.diagnostics) {
      if (!d.location) continue;
      const file = path.resolve(this.session.root, d.location.file);
      this.byFile.set(file, [...(this.byFile.get(file) ?? []), d]);
    }
    // CPU time beside the wall clock: on a loaded machine it is the cost of the check itself.
    const { user, system } = process.cpuUsage(cpu);
    const cpuMs = ((user + system) / 1000).toFixed(1);
    this.log(`checked ${this.tsconfig} in ${(performance.now() - started).toFixed(1)} ms (cpu ${cpuMs} ms, ${result.diagnostics.length} diagnostics)`);
  }
}
