// The code hash's sources for the editor (see program-sources.ts): a task's hash is over the files on
// disk, which a file the editor holds unsaved is not, so that file is parsed from disk; once per text
// on disk, kept across checks, rather than on every keystroke.
import { readFileSync } from "node:fs";
import { ts } from "ts-morph";
import type { CodeHashSources, TypeScriptApi } from "../core/index.ts";

type ParsedFile = ReturnType<CodeHashSources["parse"]>;

export class EditorCodeSources {
  private readonly fromDisk = new Map<string, ts.SourceFile>();

  /** Sources for one check of `program` (files are read once per check). */
  of(program: ts.Program): CodeHashSources {
    const memo = new Map<string, ParsedFile>();
    return {
      // The same release as the program's TypeScript (editor-session.ts); the hash reads node kinds and text.
      ts: ts as unknown as TypeScriptApi,
      parse: (file) => {
        let source = memo.get(file);
        if (!source) {
          source = this.parse(program, file) as unknown as ParsedFile;
          memo.set(file, source);
        }
        return source;
      },
    };
  }

  private parse(program: ts.Program, file: string): ts.SourceFile {
    const text = readFileSync(file, "utf8");
    const known = program.getSourceFile(file);
    if (known && known.text === text) return known;
    let parsed = this.fromDisk.get(file);
    if (parsed?.text !== text) {
      parsed = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
      this.fromDisk.set(file, parsed);
    }
    return parsed;
  }
}
