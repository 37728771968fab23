// weir's checks for one configured tsserver project: a compiler editor session fed the editor's
// texts (open buffers included). Each request pushes only the files whose script version moved and
// recompiles only then, watch-style, so asking for several files' diagnostics after one keystroke
// costs one incremental check; files no edit reached are never re-read.
import path from "node:path";
import type ts from "typescript";
import { openEditorSession } from "../compiler/index.ts";
import type { Diagnostic, EditorSession } from "../compiler/index.ts";

export interface CheckedProject {
  /** weir's findings on `file` (absolute), as the compiler reports them. */
  diagnosticsOf(file: string): readonly Diagnostic[];
}

export class ProjectChecks {
  private session: EditorSession | undefined;
  private readonly versions = new Map<string, string>();
  private byFile = new Map<string, Diagnostic[]>();
  private stale = true;

  constructor(
    private readonly project: ts.server.Project,
    private readonly tsconfig: string,
    private readonly log: (message: string) => void,
  ) {}

  /** Brings the session up to the editor's texts and rechecks when any changed. */
  current(): CheckedProject {
    const session = this.open();
    if (!session) return { diagnosticsOf: () => [] };
    for (const file of this.project.getScriptFileNames()) {
      if (file.endsWith(".d.ts") || file.includes("/node_modules/")) continue;
      const version = this.project.getScriptVersion(file);
      if (this.versions.get(file) === version) continue;
      this.versions.set(file, version);
      const snapshot = this.project.getScriptSnapshot(file);
      if (!snapshot) continue;
      const text = snapshot.getText(0, snapshot.getLength());
      if (session.textOf(file) === text) continue;
      session.update(file, text);
      this.stale = true;
    }
    if (this.stale) this.recheck(session);
    return { diagnosticsOf: (file) => this.byFile.get(path.resolve(file)) ?? [] };
  }

  private open(): EditorSession | undefined {
    if (this.session) return this.session;
    const opened = openEditorSession(this.tsconfig);
    if ("check" in opened) this.session = opened;
    else this.log(`cannot load ${this.tsconfig}: ${opened.diagnostics.map((d) => d.message).join("; ")}`);
    return this.session;
  }

  private recheck(session: EditorSession): void {
    const started = performance.now();
    const result = session.check();
    this.byFile = new Map();
    for (const d of result.diagnostics) {
      if (!d.location) continue;
      const file = path.resolve(session.root, d.location.file);
      this.byFile.set(file, [...(this.byFile.get(file) ?? []), d]);
    }
    this.stale = false;
    this.log(`checked ${this.tsconfig} in ${(performance.now() - started).toFixed(1)} ms (${result.diagnostics.length} diagnostics)`);
  }
}
